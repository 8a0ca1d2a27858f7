/**
 * A tiny cold-start task: a user likes an item when the item's genre is the user's favourite.
 * Test items are never seen in training and arrive with item ID 0 (cold), so only the item's
 * metadata (genre, an image vector, tags) can tell the model anything about them.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import type { EntityInputSchema, EntityInputs, ExampleBatch } from '../../../../ml/data/batch.ts';
import { createModel } from '../../../../ml/model/createModel.ts';
import type { CompanionArchitecture } from '../../../../ml/model/ModelConfig.ts';
import type { ModelSchemas } from '../../../../ml/model/schemas.ts';
import { makeRandom } from '../../../../ml/model/seeds.ts';
import { disposeBatchTensors } from '../../../../ml/model/tensors.ts';
import { auc } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const GENRES = 4;
const USERS = 40;
const ITEMS = 160;
const TRAIN_ITEMS = 120;
const IMAGE = 6;

const userSchema: EntityInputSchema = {
  categoricalVocabSizes: [GENRES + 1],
  categoricalNames: ['favourite_genre'],
  numericNames: [],
  maxTags: 0,
  tagVocabSize: 0,
  maxTokens: 0,
  tokenVocabSize: 0,
  modalities: [],
};
const itemSchema: EntityInputSchema = {
  categoricalVocabSizes: [GENRES + 1],
  categoricalNames: ['genre'],
  numericNames: ['price'],
  maxTags: 2,
  tagVocabSize: 2 * GENRES + 1,
  maxTokens: 0,
  tokenVocabSize: 0,
  modalities: [{ name: 'image', dimension: IMAGE }],
};
const schemas: ModelSchemas = {
  user: userSchema,
  item: itemSchema,
  original: { userIdVocabSize: USERS + 1, itemIdVocabSize: ITEMS + 1, aggregateNames: [] },
};

const random = makeRandom(2024);
const userGenre = Array.from({ length: USERS }, (_, u) => 1 + (u % GENRES));
const itemGenre = Array.from({ length: ITEMS }, () => 1 + Math.floor(random() * GENRES));
const prototypes = Array.from({ length: GENRES + 1 }, () => Array.from({ length: IMAGE }, () => random() * 2 - 1));
// A third of the items hide their genre (unknown) and a third have no image: the model must combine sources.
const itemKnownGenre = itemGenre.map((g, i) => (i % 3 === 0 ? 0 : g));
const itemHasImage = itemGenre.map((_, i) => (i % 3 === 1 ? 0 : 1));
const itemImage = itemGenre.map((g) => prototypes[g]!.map((v) => v + 0.3 * (random() * 2 - 1)));
const itemTags = itemGenre.map((g) => [2 * g - 1 + Math.floor(random() * 2), random() < 0.5 ? 2 * g - 1 : 0]);

function batchOf(pairs: readonly (readonly [number, number])[], coldItems: boolean): ExampleBatch {
  const users = [...new Set(pairs.map(([u]) => u))];
  const items = [...new Set(pairs.map(([, i]) => i))];
  const userEntities: EntityInputs = {
    count: users.length,
    categorical: Int32Array.from(users, (u) => userGenre[u]!),
    numeric: new Float32Array(0),
    numericPresent: new Float32Array(0),
    tags: new Int32Array(0),
    tokens: new Int32Array(0),
    modalities: [],
  };
  const itemEntities: EntityInputs = {
    count: items.length,
    categorical: Int32Array.from(items, (i) => itemKnownGenre[i]!),
    numeric: Float32Array.from(items, (i) => (i % 7) / 7 - 0.5),
    numericPresent: Float32Array.from(items, () => 1),
    tags: Int32Array.from(items.flatMap((i) => itemTags[i]!)),
    tokens: new Int32Array(0),
    modalities: [{ values: Float32Array.from(items.flatMap((i) => itemImage[i]!)), present: Float32Array.from(items, (i) => itemHasImage[i]!) }],
  };
  return {
    size: pairs.length,
    userId: Int32Array.from(pairs, ([u]) => u + 1),
    itemId: Int32Array.from(pairs, ([, i]) => (coldItems ? 0 : i + 1)),
    aggregates: new Float32Array(0),
    users: userEntities,
    userRow: Int32Array.from(pairs, ([u]) => users.indexOf(u)),
    items: itemEntities,
    itemRow: Int32Array.from(pairs, ([, i]) => items.indexOf(i)),
    label: Float32Array.from(pairs, ([u, i]) => (userGenre[u] === itemGenre[i] ? 1 : 0)),
  };
}

function samplePairs(count: number, itemFrom: number, itemTo: number, draw: () => number): [number, number][] {
  return Array.from({ length: count }, () => [Math.floor(draw() * USERS), itemFrom + Math.floor(draw() * (itemTo - itemFrom))]);
}

it.each(['mlp', 'transformer'] as const)(
  'learns to score cold items from their metadata (%s companion)',
  (architecture: CompanionArchitecture) => {
    const model = createModel(
      {
        seed: 3,
        companion: {
          architecture,
          synthDim: 8,
          embeddingDim: 8,
          mlp: { hiddenSizes: [16] },
          transformer: { layers: 1, heads: 2, width: 8, ffWidth: 16, dropout: 0 },
        },
        combine: { mode: 'attention', width: 8, attention: { scorerHidden: 8 } },
        original: { idEmbeddingDim: 4, aggregateProjection: 4, featureDropout: 0.5 },
        primary: { hiddenSizes: [16], dropout: 0 },
        regularization: { l2: 1e-3 },
      },
      schemas,
    );
    const draw = makeRandom(7);
    const test = batchOf(samplePairs(400, TRAIN_ITEMS, ITEMS, draw), true);
    const evaluate = (): number => {
      const p = model.predict(test);
      const score = auc(p.dataSync(), test.label!);
      p.dispose();
      return score;
    };
    const before = evaluate();
    // Measured (seeded, so every run gives the same numbers), with the retrieval head's loss on:
    // AUC on the cold items is 0.99 (mlp) and 0.82 (transformer) after 40 steps, 1.00 and 0.91
    // after 60; the transformer needs the smaller rate (at 0.02 it plateaus lower).
    const optimizer = tf.train.adam(architecture === 'mlp' ? 0.02 : 0.005);
    const steps = 60;
    for (let step = 0; step < steps; step++) {
      const batch = model.toTensors(batchOf(samplePairs(64, 0, TRAIN_ITEMS, draw), false));
      tf.tidy(() => {
        optimizer.minimize(() => model.loss(batch, { training: true, seed: step }).total, false, model.trainableVariables());
      });
      disposeBatchTensors(batch);
    }
    const after = evaluate();
    optimizer.dispose();
    model.dispose();
    expect(before).toBeLessThan(0.7);
    expect(after).toBeGreaterThan(0.85);
  },
);
