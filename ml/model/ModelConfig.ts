/**
 * The model's configuration: one validated, serializable object with defaults for everything.
 * `parseModelConfig` is the only way in; it rejects unknown keys and values with messages that
 * say what was expected (`companion.architecture: expected one of "mlp"|"transformer", got
 * "cnn"`). Sizes that training can change (dynamic companion size) live in `companion.sizes`,
 * per entity type, so that a saved config always describes the current shapes.
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const rate = z.number().min(0).lt(1);

/** Per-entity overrides written by widen / prune / addLayer; absent = use the shared sizes. */
const CompanionSizesSchema = z.strictObject({
  /** MLP companion hidden layer widths. */
  hiddenSizes: z.array(positiveInt).optional(),
  /** Transformer companion feed-forward width, one per layer. */
  ffWidths: z.array(positiveInt).optional(),
});

const MlpCompanionSchema = z.strictObject({
  hiddenSizes: z.array(positiveInt).default([64, 64]),
  dropout: rate.default(0),
});

const TransformerCompanionSchema = z.strictObject({
  layers: z.number().int().min(1).max(2).default(2),
  heads: positiveInt.default(4),
  width: positiveInt.default(32),
  ffWidth: positiveInt.default(64),
  dropout: rate.default(0.1),
  /** Read the [CLS] token, or the mean over unmasked tokens. */
  pooling: z.enum(['cls', 'mean']).default('cls'),
});

const CompanionSchema = z.strictObject({
  architecture: z.enum(['mlp', 'transformer']).default('mlp'),
  /** Width of the synthetic feature vector of each entity. */
  synthDim: positiveInt.default(32),
  /** Embedding width of categorical values, tags and text tokens (and of modality projections in the MLP). */
  embeddingDim: positiveInt.default(16),
  mlp: MlpCompanionSchema.prefault({}),
  transformer: TransformerCompanionSchema.prefault({}),
  sizes: z
    .strictObject({ user: CompanionSizesSchema.optional(), item: CompanionSizesSchema.optional() })
    .prefault({}),
});

const CombineSchema = z.strictObject({
  mode: z.enum(['weighted_sum', 'concat', 'attention']).default('attention'),
  /** Shared projection width (weighted_sum, attention tokens, the user x item interaction). */
  width: positiveInt.default(32),
  /**
   * Also combine each side's ID embedding with the other side's synthetic features
   * (combine/idInteraction.ts: groups user_id_x_item and item_id_x_user).
   */
  idInteraction: z.boolean().default(false),
  attention: z
    .strictObject({
      /** Hidden width of the group scoring network. */
      scorerHidden: positiveInt.default(16),
      /** z = sum of weighted group tokens, or their concatenation. */
      output: z.enum(['sum', 'concat']).default('concat'),
    })
    .prefault({}),
});

const OriginalSchema = z.strictObject({
  idEmbeddingDim: positiveInt.default(16),
  /** Width of the projection of the behavioural aggregates. */
  aggregateProjection: positiveInt.default(16),
  /**
   * DropoutNet-style original-feature dropout while training: each example's user ID (and, independently,
   * item ID) is replaced by 0 = unknown with this probability; aggregates are zeroed when either side is.
   */
  featureDropout: rate.default(0),
});

const PrimarySchema = z.strictObject({
  hiddenSizes: z.array(positiveInt).default([64, 32]),
  dropout: rate.default(0.1),
});

const RegularizationSchema = z.strictObject({
  /** Weight of mean |s| over the synthetic features of the batch's entities. */
  l1: z.number().min(0).default(0),
  /** Weight of mean s^2 over the synthetic features of the batch's entities. */
  l2: z.number().min(0).default(0),
});

const RetrievalSchema = z.strictObject({
  /**
   * Weight of the retrieval head's task loss (ml/model/retrieval.ts) beside the primary network's:
   * it aligns user queries with materialized item vectors for ANN candidate search. 0 turns it off.
   */
  weight: z.number().min(0).default(0.2),
});

export const ModelConfigSchema = z
  .strictObject({
    task: z.enum(['binary', 'regression']).default('binary'),
    /** Seeds every initializer (each variable derives its own seed from this and its name). */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    companion: CompanionSchema.prefault({}),
    combine: CombineSchema.prefault({}),
    original: OriginalSchema.prefault({}),
    primary: PrimarySchema.prefault({}),
    regularization: RegularizationSchema.prefault({}),
    retrieval: RetrievalSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const t = config.companion.transformer;
    if (t.width % t.heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['companion', 'transformer', 'heads'],
        message: `expected a divisor of transformer.width (${t.width}), got ${t.heads}`,
      });
    }
    for (const entity of ['user', 'item'] as const) {
      const ff = config.companion.sizes[entity]?.ffWidths;
      if (ff !== undefined && ff.length !== t.layers) {
        ctx.addIssue({
          code: 'custom',
          path: ['companion', 'sizes', entity, 'ffWidths'],
          message: `expected one width per transformer layer (${t.layers}), got ${ff.length}`,
        });
      }
    }
  });

/** A complete, validated model configuration. */
export type ModelConfig = z.infer<typeof ModelConfigSchema>;
/** What callers may pass: every field optional, defaults filled in by `parseModelConfig`. */
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;
export type CompanionConfig = ModelConfig['companion'];
export type CompanionSizes = z.infer<typeof CompanionSizesSchema>;
export type CombineMode = ModelConfig['combine']['mode'];
export type CompanionArchitecture = CompanionConfig['architecture'];

/** Thrown for an invalid configuration; `issues` lists every problem as `path: message`. */
export class ModelConfigError extends Error {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`invalid model config:\n  ${issues.join('\n  ')}`);
    this.name = 'ModelConfigError';
    this.issues = issues;
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Validates `input`, fills defaults, and returns a fresh config object. */
export function parseModelConfig(input: unknown = {}): ModelConfig {
  const result = ModelConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    const got = issue.code === 'invalid_value' || issue.code === 'too_small' || issue.code === 'too_big'
      ? `, got ${describe(valueAt(input, issue.path))}`
      : '';
    return `${path}: ${issue.message}${got}`;
  });
  throw new ModelConfigError(issues);
}

/** The hidden sizes of one entity's MLP companion, after any dynamic size change. */
export function mlpHiddenSizes(config: ModelConfig, entity: 'user' | 'item'): number[] {
  return [...(config.companion.sizes[entity]?.hiddenSizes ?? config.companion.mlp.hiddenSizes)];
}

/** The feed-forward widths (one per layer) of one entity's transformer companion. */
export function transformerFfWidths(config: ModelConfig, entity: 'user' | 'item'): number[] {
  const t = config.companion.transformer;
  return [...(config.companion.sizes[entity]?.ffWidths ?? Array.from({ length: t.layers }, () => t.ffWidth))];
}
