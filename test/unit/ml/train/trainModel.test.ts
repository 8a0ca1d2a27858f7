import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { computeAggregates, type Interaction } from '../../../../ml/data/aggregates.ts';
import { EntityTable } from '../../../../ml/data/EntityTable.ts';
import { buildIdVocabulary, ExampleBuilder, fitAggregateStandardizer, type ExampleSet } from '../../../../ml/data/ExampleBuilder.ts';
import { EntityEncoder } from '../../../../ml/features/EntityEncoder.ts';
import { rocAuc } from '../../../../ml/metrics/auc.ts';
import { createModel } from '../../../../ml/model/index.ts';
import { scoreExamples } from '../../../../ml/train/evaluateExamples.ts';
import { parseTrainConfig, type TrainConfigInput } from '../../../../ml/train/TrainConfig.ts';
import { trainModel } from '../../../../ml/train/trainModel.ts';
import { Random } from '../../../../store/demo/random.ts';
import type { FieldDeclaration } from '../../../../store/ingest/records.ts';

/**
 * A world where content decides: a user of group A likes items of kind x, group B likes kind y.
 * Items 0-29 are warm (in training), 30-39 cold (never seen): only their metadata can score them.
 */
function makeWorld(seed = 1) {
  const random = new Random(seed);
  const fields: FieldDeclaration[] = [
    { entityType: 'user', name: 'group', type: 'categorical' },
    { entityType: 'item', name: 'kind', type: 'categorical' },
  ];
  const users = Array.from({ length: 40 }, (_, u) => ({ externalId: `u${u}`, metadata: { group: u % 2 ? 'A' : 'B' } }));
  const items = Array.from({ length: 40 }, (_, i) => ({ externalId: `i${i}`, metadata: { kind: i % 2 ? 'x' : 'y' } }));
  const likes = (u: number, i: number) => (u % 2 === i % 2 ? 1 : 0);
  const events = (itemFrom: number, itemTo: number, count: number, startTime: number): Interaction[] =>
    Array.from({ length: count }, (_, n) => {
      const u = random.int(users.length);
      const i = itemFrom + random.int(itemTo - itemFrom);
      return { userId: `u${u}`, itemId: `i${i}`, value: likes(u, i), time: startTime + n * 1000 };
    });
  const train = events(0, 30, 1500, 0);
  const userEncoder = EntityEncoder.fit({ entityType: 'user', fields, modalities: [], entities: users });
  const itemEncoder = EntityEncoder.fit({ entityType: 'item', fields, modalities: [], entities: items.slice(0, 30) });
  const standardizer = fitAggregateStandardizer(computeAggregates(train, train, { positiveThreshold: 1 }));
  const builder = new ExampleBuilder({
    users: EntityTable.encode(userEncoder, users),
    items: EntityTable.encode(itemEncoder, items),
    userIds: buildIdVocabulary(train.map((event) => event.userId)),
    itemIds: buildIdVocabulary(train.map((event) => event.itemId)),
    aggregateStandardizer: standardizer,
  });
  const toSet = (interactions: Interaction[], flip = false): ExampleSet => ({
    examples: interactions.map((event) => ({ userId: event.userId, itemId: event.itemId, label: flip ? 1 - event.value : event.value })),
    aggregates: computeAggregates(train, interactions, { positiveThreshold: 1 }),
  });
  return {
    builder,
    train: toSet(train),
    validation: toSet(events(0, 30, 300, 2_000_000)),
    cold: toSet(events(30, 40, 400, 3_000_000)),
    toSet,
    events,
    schemas: { user: userEncoder.schema, item: itemEncoder.schema, original: builder.originalSchema },
  };
}

const MODEL = { seed: 3, companion: { architecture: 'mlp' as const, synthDim: 8, mlp: { hiddenSizes: [16] } }, combine: { mode: 'attention' as const, width: 8 } };
const quiet = (overrides: TrainConfigInput) => parseTrainConfig({ batchSize: 128, learningRate: 0.01, seed: 5, ...overrides });

describe('trainModel', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains the companions so that cold items are scored from their metadata', async () => {
    const world = makeWorld();
    const model = createModel(MODEL, world.schemas);
    const before = rocAuc(...Object.values(scoreExamples(model, world.builder, world.cold)) as [Float32Array, Float32Array]);
    const result = await trainModel(model, world, quiet({ epochs: 6, dropout: { item: 0.5 }, growth: { enabled: false } }));
    const after = scoreExamples(result.model, world.builder, world.cold);
    expect(rocAuc(after.predictions, after.labels)).toBeGreaterThan(0.9);
    expect(rocAuc(after.predictions, after.labels)).toBeGreaterThan(before + 0.2);
    expect(result.epochs.at(-1)!.trainLoss).toBeLessThan(result.epochs[0]!.trainLoss);
    result.model.dispose();
  });

  it('logs a bounded adaptive learning rate per epoch, and the base rate when switched off', async () => {
    const world = makeWorld();
    const adaptive = await trainModel(createModel(MODEL, world.schemas), world, quiet({ epochs: 4, growth: { enabled: false }, earlyStopping: { enabled: false } }));
    const rates = adaptive.epochs.map((epoch) => epoch.learningRate);
    expect(rates.every((rate) => rate >= 0.0025 - 1e-9 && rate <= 0.02 + 1e-9)).toBe(true);
    // Synthetic features grow fast here (no L1/L2): the schedule explores, up to its bound.
    expect(rates.some((rate) => rate > 0.0101)).toBe(true);
    expect(adaptive.epochs.every((epoch) => epoch.syntheticMagnitude > 0)).toBe(true);
    adaptive.model.dispose();

    const fixed = await trainModel(createModel(MODEL, world.schemas), world, quiet({ epochs: 2, adaptiveLearningRate: { enabled: false }, growth: { enabled: false } }));
    expect(fixed.epochs.map((epoch) => epoch.learningRate)).toEqual([0.01, 0.01]);
    expect(fixed.epochs[1]!.trainLoss).not.toBeCloseTo(adaptive.epochs[1]!.trainLoss, 6);
    fixed.model.dispose();
  });

  it('widens the companions on a validation plateau and records each change', async () => {
    const world = makeWorld();
    // Labels the model cannot fit make the validation loss plateau at once.
    const noisy = { ...world, validation: world.toSet(world.events(0, 30, 300, 2_000_000), true) };
    const model = createModel(MODEL, world.schemas);
    const parametersBefore = model.countParameters();
    const result = await trainModel(model, noisy, quiet({ epochs: 4, earlyStopping: { enabled: false }, growth: { patience: 1, factor: 2, maxChanges: 1, pruneThreshold: 0 } }));
    const widenings = result.sizeChanges.filter((change) => change.kind === 'widen');
    expect(widenings.length).toBeGreaterThan(0);
    expect(widenings.every((change) => change.kind === 'widen' && change.to === change.from * 2)).toBe(true);
    expect(new Set(widenings.map((change) => change.epoch)).size).toBe(1);
    const widenedAt = widenings[0]!.epoch;
    expect(result.epochs[widenedAt - 1]!.parameters).toBeGreaterThan(parametersBefore);
    expect(result.epochs.at(-1)!.parameters).toBe(result.epochs[widenedAt - 1]!.parameters);
    // The returned model is the best by validation loss, which here came before the widening.
    expect(result.model.countParameters()).toBe(result.bestEpoch < widenedAt ? parametersBefore : result.epochs[widenedAt - 1]!.parameters);
    result.model.dispose();
  });

  it('stops early and returns the best epoch, releasing every tensor', async () => {
    const world = makeWorld();
    const flipped = { ...world, validation: world.toSet(world.events(0, 30, 300, 2_000_000), true) };
    const tensorsBefore = tf.memory().numTensors;
    const result = await trainModel(createModel(MODEL, world.schemas), flipped, quiet({ epochs: 10, growth: { enabled: false }, earlyStopping: { patience: 2 } }));
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochs.length).toBeLessThan(10);
    const losses = result.epochs.map((epoch) => epoch.validation!.loss);
    expect(result.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    // The returned model is the best epoch's, not the last one's: its loss is the minimum.
    const restored = scoreExamples(result.model, world.builder, flipped.validation);
    const restoredLoss = -restored.labels.reduce((sum, y, i) => sum + (y ? Math.log(restored.predictions[i]!) : Math.log(1 - restored.predictions[i]!)), 0) / restored.labels.length;
    expect(restoredLoss).toBeCloseTo(Math.min(...losses), 4);
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('trains with a ranking loss on grouped rows (a positive, then a negative of the same user)', async () => {
    const world = makeWorld();
    const random = new Random(9);
    const positives = world.train.examples.filter((example) => example.label === 1);
    const rows: Interaction[] = positives.flatMap((example, n) => {
      const negative = Number(example.itemId.slice(1)) % 2 === 0 ? 1 + 2 * random.int(15) : 2 * random.int(15);
      return [
        { userId: example.userId, itemId: example.itemId, value: 1, time: n * 1000 },
        { userId: example.userId, itemId: `i${negative}`, value: 0, time: n * 1000 },
      ];
    });
    const grouped = { ...world.toSet(rows), groupSize: 2 };
    const tensorsBefore = tf.memory().numTensors;
    const config = quiet({ epochs: 5, dropout: { item: 0.5 }, growth: { enabled: false }, ranking: { loss: 'bpr', pointwiseWeight: 0 } });
    expect(config.ranking).toEqual({ loss: 'bpr', weight: 1, pointwiseWeight: 0 });
    const result = await trainModel(createModel(MODEL, world.schemas), { ...world, train: grouped }, config);
    const cold = scoreExamples(result.model, world.builder, world.cold);
    expect(rocAuc(cold.predictions, cold.labels)).toBeGreaterThan(0.9);
    expect(result.epochs.at(-1)!.trainLoss).toBeLessThan(result.epochs[0]!.trainLoss);
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // Without groups a ranking loss has nothing to compare.
    await expect(trainModel(createModel(MODEL, world.schemas), world, config)).rejects.toThrow(/groupSize/);
  });
});
