/**
 * Feature set definitions: plain validated objects, no I/O (as Feast's feature views are).
 *
 * Glossary:
 * - feature set (feature view): a named group of features about one entity type.
 * - kind: raw (metadata fields), embedding (one modality's vectors), synthesized (a model's output).
 * - source: what a materialization reads for the kind: metadata field names, a modality name,
 *   or a model name with an optional pinned model version.
 * - features: the schema of the values: names, types and, for the vector, its dimension. The
 *   feature_value table has one vector column, so a set has at most one vector feature.
 * - compatible change: owner, description, tags, TTL. Applied in place.
 * - incompatible change: features or source. Recorded as the schema of the next version; the
 *   versions that exist keep theirs.
 * - forbidden change: entity type or kind. A different feature set: register it under a new name.
 */
import { z } from 'zod';
import { ENTITY_TYPES } from '../ingest/records.ts';
import { FeatureSetInputError } from './errors.ts';

export const FEATURE_SET_KINDS = ['raw', 'embedding', 'synthesized'] as const;
export type FeatureSetKind = (typeof FEATURE_SET_KINDS)[number];

export const FEATURE_TYPES = ['numeric', 'categorical', 'text', 'tags', 'boolean', 'vector'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

/** pgvector's limit on a vector's dimension. */
export const MAX_VECTOR_DIMENSION = 16_000;

/** Lowercase SQL-safe identifiers: feature set names appear in commands, URLs and index names. */
const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected a lowercase identifier: a letter, then letters, digits or _ (at most 63)');
/** Feature and metadata field names follow the metadata field rules: letters, digits, _ . - */
const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'expected a name of letters, digits, _ . or -, starting with a letter or _');

const FeatureSchema = z.discriminatedUnion('type', [
  z.strictObject({ name: fieldName, type: z.enum(['numeric', 'categorical', 'text', 'tags', 'boolean']) }),
  z.strictObject({ name: fieldName, type: z.literal('vector'), dimension: z.number().int().min(1).max(MAX_VECTOR_DIMENSION) }),
]);
export type FeatureSpec = z.infer<typeof FeatureSchema>;

const common = {
  name: identifier,
  entityType: z.enum(ENTITY_TYPES),
  owner: z.string().trim().min(1, 'expected a non-empty owner'),
  description: z.string().default(''),
  /** Trimmed, deduplicated and sorted, so that the same tags in another order are no change. */
  tags: z
    .array(z.string().trim().min(1, 'expected non-empty tags'))
    .default([])
    .transform((tags) => [...new Set(tags)].sort()),
  /** Values older than this (by valid_from) are stale for online reads. Absent: never stale. */
  ttlSeconds: z.number().int().min(1).max(2_147_483_647).optional(),
  features: z.array(FeatureSchema).min(1, 'expected at least one feature'),
};

const RawSource = z.strictObject({ fields: z.array(fieldName).min(1, 'expected at least one metadata field') });
const EmbeddingSource = z.strictObject({ modality: z.string().trim().min(1, 'expected a modality name') });
const SynthesizedSource = z.strictObject({
  model: z.string().trim().min(1, 'expected a model name'),
  /** A pinned model version number; absent: whichever version a materialization is given. */
  modelVersion: z.number().int().min(1).optional(),
});

const DefinitionSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ ...common, kind: z.literal('raw'), source: RawSource }),
    z.strictObject({ ...common, kind: z.literal('embedding'), source: EmbeddingSource }),
    z.strictObject({ ...common, kind: z.literal('synthesized'), source: SynthesizedSource }),
  ])
  .superRefine((definition, context) => {
    const seen = new Set<string>();
    definition.features.forEach((feature, index) => {
      if (seen.has(feature.name)) context.addIssue({ code: 'custom', path: ['features', index, 'name'], message: `duplicate feature "${feature.name}"` });
      seen.add(feature.name);
    });
    const vectors = definition.features.filter((feature) => feature.type === 'vector').length;
    if (vectors > 1) context.addIssue({ code: 'custom', path: ['features'], message: `expected at most one vector feature (one vector column per value row), got ${vectors}` });
    if (definition.kind === 'embedding' && vectors !== 1) {
      context.addIssue({ code: 'custom', path: ['features'], message: 'an embedding feature set has exactly one vector feature: the modality vector' });
    }
  });

export type FeatureSetDefinition = z.output<typeof DefinitionSchema>;
/** What callers may pass: description and tags have defaults. */
export type FeatureSetDefinitionInput = z.input<typeof DefinitionSchema>;
export type FeatureSetSource = FeatureSetDefinition['source'];

/** The schema a version is materialized with and keeps for ever. */
export interface VersionSchema {
  readonly features: readonly FeatureSpec[];
  readonly source: FeatureSetSource;
}

/** Validates a definition and fills its defaults; the only way to make a FeatureSetDefinition. */
export function defineFeatureSet(input: unknown): FeatureSetDefinition {
  const result = DefinitionSchema.safeParse(input);
  if (result.success) return result.data;
  throw new FeatureSetInputError('invalid feature set definition', result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
}

/** The vector feature of a schema, if it has one. */
export function vectorFeature(features: readonly FeatureSpec[]): Extract<FeatureSpec, { type: 'vector' }> | undefined {
  return features.find((feature): feature is Extract<FeatureSpec, { type: 'vector' }> => feature.type === 'vector');
}

export type DefinitionChange =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'compatible'; readonly fields: readonly CompatibleField[] }
  | { readonly kind: 'incompatible'; readonly fields: readonly DefinitionField[] }
  | { readonly kind: 'forbidden'; readonly fields: readonly ('entityType' | 'kind')[] };

export type CompatibleField = 'owner' | 'description' | 'tags' | 'ttlSeconds';
export type DefinitionField = CompatibleField | 'features' | 'source' | 'entityType' | 'kind' | 'name';

/**
 * Classifies the change from `before` to `after` (the same feature set by name). Features are
 * compared by name, type and dimension, in any order; a feature that is added, removed, renamed or
 * retyped is incompatible. When both compatible and incompatible fields changed, the result is
 * incompatible and lists every changed field (the compatible ones are applied too).
 */
export function classifyDefinitionChange(before: FeatureSetDefinition, after: FeatureSetDefinition): DefinitionChange {
  const forbidden = (['entityType', 'kind'] as const).filter((field) => before[field] !== after[field]);
  if (forbidden.length > 0) return { kind: 'forbidden', fields: forbidden };
  const compatible = (['owner', 'description', 'tags', 'ttlSeconds'] as const).filter(
    (field) => canonicalJson(before[field] ?? null) !== canonicalJson(after[field] ?? null),
  );
  const incompatible: ('features' | 'source')[] = [];
  if (canonicalJson(sortedFeatures(before.features)) !== canonicalJson(sortedFeatures(after.features))) incompatible.push('features');
  if (canonicalJson(before.source) !== canonicalJson(after.source)) incompatible.push('source');
  if (incompatible.length > 0) return { kind: 'incompatible', fields: [...incompatible, ...compatible] };
  if (compatible.length > 0) return { kind: 'compatible', fields: compatible };
  return { kind: 'unchanged' };
}

/** Whether two version schemas are the same (features in any order, same source). */
export function sameSchema(a: VersionSchema, b: VersionSchema): boolean {
  return canonicalJson(sortedFeatures(a.features)) === canonicalJson(sortedFeatures(b.features)) && canonicalJson(a.source) === canonicalJson(b.source);
}

function sortedFeatures(features: readonly FeatureSpec[]): FeatureSpec[] {
  return [...features].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** JSON with object keys sorted, so that key order (e.g. after a JSONB round trip) is no change. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
