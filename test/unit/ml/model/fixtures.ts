/** Tiny schemas, configs and random batches for the model tests (seeded, no I/O). */
import type { EntityInputSchema, EntityInputs, ExampleBatch } from '../../../../ml/data/batch.ts';
import type { ModelConfigInput } from '../../../../ml/model/ModelConfig.ts';
import type { ModelSchemas } from '../../../../ml/model/schemas.ts';
import { makeRandom } from '../../../../ml/model/seeds.ts';

export const userSchema: EntityInputSchema = {
  categoricalVocabSizes: [5, 4],
  categoricalNames: ['country', 'plan'],
  numericNames: ['age', 'tenure'],
  maxTags: 3,
  tagVocabSize: 10,
  maxTokens: 4,
  tokenVocabSize: 12,
  modalities: [{ name: 'avatar', dimension: 6 }],
};

export const itemSchema: EntityInputSchema = {
  categoricalVocabSizes: [6],
  categoricalNames: ['genre'],
  numericNames: ['price'],
  maxTags: 4,
  tagVocabSize: 9,
  maxTokens: 5,
  tokenVocabSize: 15,
  modalities: [
    { name: 'image', dimension: 8 },
    { name: 'audio', dimension: 4 },
  ],
};

export const schemas: ModelSchemas = {
  user: userSchema,
  item: itemSchema,
  original: { userIdVocabSize: 20, itemIdVocabSize: 30, aggregateNames: ['user_count', 'item_count', 'item_mean'] },
};

/** Small sizes so that every test runs in well under a second on the cpu backend. */
export function tinyConfig(overrides: ModelConfigInput = {}): ModelConfigInput {
  return {
    seed: 7,
    ...overrides,
    companion: {
      synthDim: 6,
      embeddingDim: 5,
      mlp: { hiddenSizes: [12, 10] },
      transformer: { layers: 2, heads: 2, width: 8, ffWidth: 12, dropout: 0.1 },
      ...overrides.companion,
    },
    combine: { width: 8, attention: { scorerHidden: 6 }, ...overrides.combine },
    original: { idEmbeddingDim: 4, aggregateProjection: 4, ...overrides.original },
    primary: { hiddenSizes: [10], dropout: 0.1, ...overrides.primary },
  };
}

export function randomEntityInputs(schema: EntityInputSchema, count: number, seed: number, presentProbability = 0.7): EntityInputs {
  const random = makeRandom(seed);
  const int = (limit: number): number => Math.floor(random() * limit);
  const c = schema.categoricalVocabSizes.length;
  const f = schema.numericNames.length;
  const categorical = new Int32Array(count * c);
  for (let i = 0; i < count; i++) for (let j = 0; j < c; j++) categorical[i * c + j] = int(schema.categoricalVocabSizes[j]!);
  const numericPresent = Float32Array.from({ length: count * f }, () => (random() < presentProbability ? 1 : 0));
  const numeric = Float32Array.from(numericPresent, (p) => (p ? random() * 2 - 1 : 0));
  const padded = (max: number, vocab: number): Int32Array => {
    const ids = new Int32Array(count * max);
    for (let i = 0; i < count; i++) {
      const length = int(max + 1);
      for (let k = 0; k < length; k++) ids[i * max + k] = 1 + int(vocab - 1);
    }
    return ids;
  };
  return {
    count,
    categorical,
    numeric,
    numericPresent,
    tags: padded(schema.maxTags, schema.tagVocabSize),
    tokens: padded(schema.maxTokens, schema.tokenVocabSize),
    modalities: schema.modalities.map((m) => {
      const present = Float32Array.from({ length: count }, () => (random() < presentProbability ? 1 : 0));
      const values = Float32Array.from({ length: count * m.dimension }, () => random() * 2 - 1);
      return { values, present };
    }),
  };
}

export function randomBatch(size: number, seed: number, options: { users?: number; items?: number } = {}): ExampleBatch {
  const random = makeRandom(seed);
  const int = (limit: number): number => Math.floor(random() * limit);
  const usersCount = options.users ?? Math.max(1, Math.floor(size / 2));
  const itemsCount = options.items ?? Math.max(1, Math.floor(size / 2));
  const a = schemas.original.aggregateNames.length;
  return {
    size,
    userId: Int32Array.from({ length: size }, () => int(schemas.original.userIdVocabSize)),
    itemId: Int32Array.from({ length: size }, () => int(schemas.original.itemIdVocabSize)),
    aggregates: Float32Array.from({ length: size * a }, () => random() * 2 - 1),
    users: randomEntityInputs(userSchema, usersCount, seed + 1),
    userRow: Int32Array.from({ length: size }, () => int(usersCount)),
    items: randomEntityInputs(itemSchema, itemsCount, seed + 2),
    itemRow: Int32Array.from({ length: size }, () => int(itemsCount)),
    label: Float32Array.from({ length: size }, () => (random() < 0.5 ? 1 : 0)),
  };
}

/** Max absolute difference between two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Area under the ROC curve (ties counted half). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let positives = 0;
  let negatives = 0;
  let wins = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i]! !== 1) continue;
    positives++;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]! !== 0) continue;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i]! === scores[j]!) wins += 0.5;
    }
  }
  for (let j = 0; j < labels.length; j++) if (labels[j]! === 0) negatives++;
  return wins / Math.max(1, positives * negatives);
}
