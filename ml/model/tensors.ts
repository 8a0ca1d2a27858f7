/**
 * The one place where the typed arrays of ml/data/batch.ts become tensors. Lengths are checked
 * against the model's schemas first, so a malformed batch fails with the field's name.
 */
import * as tf from '@tensorflow/tfjs';
import type { EntityInputSchema, EntityInputs, ExampleBatch, OriginalInputSchema, SyntheticBatch } from '../data/batch.ts';
import { ModelInputError, type ModelSchemas } from './schemas.ts';

/** EntityInputs of N entities as tensors. */
export interface EntityTensors {
  readonly count: number;
  /** [N, C] int32. */
  readonly categorical: tf.Tensor2D;
  /** [N, F] float32, and its presence mask [N, F]. */
  readonly numeric: tf.Tensor2D;
  readonly numericPresent: tf.Tensor2D;
  /** [N, maxTags] int32, 0-padded. */
  readonly tags: tf.Tensor2D;
  /** [N, maxTokens] int32, 0-padded. */
  readonly tokens: tf.Tensor2D;
  /** Per schema modality: [N, D] values and [N, 1] presence. */
  readonly modalities: readonly { readonly values: tf.Tensor2D; readonly present: tf.Tensor2D }[];
}

/** An ExampleBatch as tensors. */
export interface BatchTensors {
  readonly size: number;
  /** [B] int32 ID indices (0 = unknown). */
  readonly userId: tf.Tensor1D;
  readonly itemId: tf.Tensor1D;
  /** [B, A] float32. */
  readonly aggregates: tf.Tensor2D;
  readonly users: EntityTensors;
  /** [B] int32 rows into `users`. */
  readonly userRow: tf.Tensor1D;
  readonly items: EntityTensors;
  readonly itemRow: tf.Tensor1D;
  /** [B] float32 targets, when given. */
  readonly label?: tf.Tensor1D;
  /** Rows come in whole groups of this size (ExampleBatch.groupSize). */
  readonly groupSize?: number;
}

function expectLength(where: string, actual: number, expected: number, shape: string): void {
  if (actual !== expected) {
    throw new ModelInputError(`${where}: expected ${expected} values (${shape}), got ${actual}`);
  }
}

function checkIndices(where: string, values: Int32Array, limit: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= limit) {
      throw new ModelInputError(`${where}[${i}]: expected an index in [0, ${limit}), got ${v}`);
    }
  }
}

/** Checks an EntityInputs against its schema (lengths and index ranges). */
export function validateEntityInputs(inputs: EntityInputs, schema: EntityInputSchema, where: string): void {
  const n = inputs.count;
  if (!Number.isInteger(n) || n < 0) throw new ModelInputError(`${where}.count: expected an integer >= 0, got ${n}`);
  const c = schema.categoricalVocabSizes.length;
  const f = schema.numericNames.length;
  expectLength(`${where}.categorical`, inputs.categorical.length, n * c, `${n} x ${c}`);
  expectLength(`${where}.numeric`, inputs.numeric.length, n * f, `${n} x ${f}`);
  expectLength(`${where}.numericPresent`, inputs.numericPresent.length, n * f, `${n} x ${f}`);
  expectLength(`${where}.tags`, inputs.tags.length, n * schema.maxTags, `${n} x ${schema.maxTags}`);
  expectLength(`${where}.tokens`, inputs.tokens.length, n * schema.maxTokens, `${n} x ${schema.maxTokens}`);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < c; j++) {
      const v = inputs.categorical[row * c + j]!;
      const size = schema.categoricalVocabSizes[j]!;
      if (v < 0 || v >= size) {
        throw new ModelInputError(
          `${where}.categorical[${row}][${j}] (${schema.categoricalNames[j]}): expected an index in [0, ${size}), got ${v}`,
        );
      }
    }
  }
  checkIndices(`${where}.tags`, inputs.tags, schema.tagVocabSize);
  checkIndices(`${where}.tokens`, inputs.tokens, schema.tokenVocabSize);
  if (inputs.modalities.length !== schema.modalities.length) {
    throw new ModelInputError(
      `${where}.modalities: expected ${schema.modalities.length} (${schema.modalities.map((m) => m.name).join(', ')}), got ${inputs.modalities.length}`,
    );
  }
  schema.modalities.forEach((m, i) => {
    const given = inputs.modalities[i]!;
    expectLength(`${where}.modalities[${i}] (${m.name}).values`, given.values.length, n * m.dimension, `${n} x ${m.dimension}`);
    expectLength(`${where}.modalities[${i}] (${m.name}).present`, given.present.length, n, `${n}`);
  });
}

/** EntityInputs -> tensors (validated). The caller owns the result (dispose or tidy). */
export function toEntityTensors(inputs: EntityInputs, schema: EntityInputSchema, where = 'entities'): EntityTensors {
  validateEntityInputs(inputs, schema, where);
  const n = inputs.count;
  const f = schema.numericNames.length;
  return {
    count: n,
    categorical: tf.tensor2d(inputs.categorical, [n, schema.categoricalVocabSizes.length], 'int32'),
    numeric: tf.tensor2d(inputs.numeric, [n, f], 'float32'),
    numericPresent: tf.tensor2d(inputs.numericPresent, [n, f], 'float32'),
    tags: tf.tensor2d(inputs.tags, [n, schema.maxTags], 'int32'),
    tokens: tf.tensor2d(inputs.tokens, [n, schema.maxTokens], 'int32'),
    modalities: schema.modalities.map((m, i) => ({
      values: tf.tensor2d(inputs.modalities[i]!.values, [n, m.dimension], 'float32'),
      present: tf.tensor2d(inputs.modalities[i]!.present, [n, 1], 'float32'),
    })),
  };
}

type OriginalArrays = Pick<ExampleBatch, 'size' | 'userId' | 'itemId' | 'aggregates' | 'userRow' | 'itemRow' | 'label'>;

function validateOriginal(batch: OriginalArrays, schema: OriginalInputSchema, userCount: number, itemCount: number): void {
  const b = batch.size;
  if (!Number.isInteger(b) || b < 0) throw new ModelInputError(`batch.size: expected an integer >= 0, got ${b}`);
  const a = schema.aggregateNames.length;
  expectLength('batch.userId', batch.userId.length, b, `${b}`);
  expectLength('batch.itemId', batch.itemId.length, b, `${b}`);
  expectLength('batch.aggregates', batch.aggregates.length, b * a, `${b} x ${a}`);
  expectLength('batch.userRow', batch.userRow.length, b, `${b}`);
  expectLength('batch.itemRow', batch.itemRow.length, b, `${b}`);
  if (batch.label !== undefined) expectLength('batch.label', batch.label.length, b, `${b}`);
  checkIndices('batch.userId', batch.userId, schema.userIdVocabSize);
  checkIndices('batch.itemId', batch.itemId, schema.itemIdVocabSize);
  checkIndices('batch.userRow', batch.userRow, userCount);
  checkIndices('batch.itemRow', batch.itemRow, itemCount);
}

/** ExampleBatch -> tensors (validated). The caller owns the result (dispose or tidy). */
export function toBatchTensors(batch: ExampleBatch, schemas: ModelSchemas): BatchTensors {
  validateOriginal(batch, schemas.original, batch.users.count, batch.items.count);
  const b = batch.size;
  if (batch.groupSize !== undefined && !(Number.isInteger(batch.groupSize) && batch.groupSize >= 1 && b % batch.groupSize === 0)) {
    throw new ModelInputError(`batch.groupSize: expected a positive integer dividing the batch size ${b}, got ${batch.groupSize}`);
  }
  const users = toEntityTensors(batch.users, schemas.user, 'batch.users');
  const items = toEntityTensors(batch.items, schemas.item, 'batch.items');
  return {
    size: b,
    userId: tf.tensor1d(batch.userId, 'int32'),
    itemId: tf.tensor1d(batch.itemId, 'int32'),
    aggregates: tf.tensor2d(batch.aggregates, [b, schemas.original.aggregateNames.length], 'float32'),
    users,
    userRow: tf.tensor1d(batch.userRow, 'int32'),
    items,
    itemRow: tf.tensor1d(batch.itemRow, 'int32'),
    ...(batch.label === undefined ? {} : { label: tf.tensor1d(batch.label, 'float32') }),
    ...(batch.groupSize === undefined ? {} : { groupSize: batch.groupSize }),
  };
}

/** A SyntheticBatch as tensors (validated). The caller owns the result (dispose or tidy). */
export function toSyntheticTensors(batch: SyntheticBatch, schema: OriginalInputSchema, synthDim: number): SyntheticTensors {
  validateOriginal(batch, schema, batch.userCount, batch.itemCount);
  expectLength('batch.synthUser', batch.synthUser.length, batch.userCount * synthDim, `${batch.userCount} x ${synthDim}`);
  expectLength('batch.synthItem', batch.synthItem.length, batch.itemCount * synthDim, `${batch.itemCount} x ${synthDim}`);
  return {
    userId: tf.tensor1d(batch.userId, 'int32'),
    itemId: tf.tensor1d(batch.itemId, 'int32'),
    aggregates: tf.tensor2d(batch.aggregates, [batch.size, schema.aggregateNames.length], 'float32'),
    userRow: tf.tensor1d(batch.userRow, 'int32'),
    itemRow: tf.tensor1d(batch.itemRow, 'int32'),
    synthUser: tf.tensor2d(batch.synthUser, [batch.userCount, synthDim], 'float32'),
    synthItem: tf.tensor2d(batch.synthItem, [batch.itemCount, synthDim], 'float32'),
  };
}

/** The tensors of a SyntheticBatch. */
export interface SyntheticTensors {
  readonly userId: tf.Tensor1D;
  readonly itemId: tf.Tensor1D;
  readonly aggregates: tf.Tensor2D;
  readonly userRow: tf.Tensor1D;
  readonly itemRow: tf.Tensor1D;
  readonly synthUser: tf.Tensor2D;
  readonly synthItem: tf.Tensor2D;
}

export function disposeEntityTensors(entities: EntityTensors): void {
  tf.dispose([entities.categorical, entities.numeric, entities.numericPresent, entities.tags, entities.tokens]);
  for (const m of entities.modalities) tf.dispose([m.values, m.present]);
}

export function disposeBatchTensors(batch: BatchTensors): void {
  tf.dispose([batch.userId, batch.itemId, batch.aggregates, batch.userRow, batch.itemRow]);
  if (batch.label !== undefined) batch.label.dispose();
  disposeEntityTensors(batch.users);
  disposeEntityTensors(batch.items);
}
