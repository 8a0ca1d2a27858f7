/**
 * The input shapes a model is built for: one EntityInputSchema per entity type and the
 * original-feature schema (see ml/data/batch.ts). Validated once at model creation so that a
 * bad schema fails with a precise message instead of a shape error deep inside a forward pass.
 */
import type { EntityInputSchema, OriginalInputSchema } from '../data/batch.ts';

export type EntityType = 'user' | 'item';
export const ENTITY_TYPES: readonly EntityType[] = ['user', 'item'];

export interface ModelSchemas {
  readonly user: EntityInputSchema;
  readonly item: EntityInputSchema;
  readonly original: OriginalInputSchema;
}

/** Thrown when a schema (or a batch that must follow one) is inconsistent. */
export class ModelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelInputError';
  }
}

function checkCount(where: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ModelInputError(`${where}: expected an integer >= ${min}, got ${value}`);
  }
}

export function validateEntitySchema(schema: EntityInputSchema, where: string): void {
  if (schema.categoricalNames.length !== schema.categoricalVocabSizes.length) {
    throw new ModelInputError(
      `${where}: categoricalNames (${schema.categoricalNames.length}) and categoricalVocabSizes ` +
        `(${schema.categoricalVocabSizes.length}) must have the same length`,
    );
  }
  schema.categoricalVocabSizes.forEach((size, i) => checkCount(`${where}.categoricalVocabSizes[${i}]`, size, 1));
  checkCount(`${where}.maxTags`, schema.maxTags, 0);
  checkCount(`${where}.maxTokens`, schema.maxTokens, 0);
  checkCount(`${where}.tagVocabSize`, schema.tagVocabSize, schema.maxTags > 0 ? 1 : 0);
  checkCount(`${where}.tokenVocabSize`, schema.tokenVocabSize, schema.maxTokens > 0 ? 1 : 0);
  schema.modalities.forEach((m, i) => checkCount(`${where}.modalities[${i}] (${m.name}).dimension`, m.dimension, 1));
}

export function validateSchemas(schemas: ModelSchemas): void {
  validateEntitySchema(schemas.user, 'schemas.user');
  validateEntitySchema(schemas.item, 'schemas.item');
  checkCount('schemas.original.userIdVocabSize', schemas.original.userIdVocabSize, 1);
  checkCount('schemas.original.itemIdVocabSize', schemas.original.itemIdVocabSize, 1);
}
