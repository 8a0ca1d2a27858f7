import { describe, expect, it } from 'vitest';
import { AGGREGATE_NAMES, computeAggregates, type Interaction } from '../../../../ml/data/aggregates.ts';
import { EntityTable } from '../../../../ml/data/EntityTable.ts';
import { buildIdVocabulary, ExampleBuilder, fitAggregateStandardizer, type ExampleSet } from '../../../../ml/data/ExampleBuilder.ts';
import { EntityEncoder } from '../../../../ml/features/EntityEncoder.ts';
import { Random } from '../../../../store/demo/random.ts';
import type { FieldDeclaration } from '../../../../store/ingest/records.ts';

const FIELDS: FieldDeclaration[] = [
  { entityType: 'user', name: 'country', type: 'categorical' },
  { entityType: 'item', name: 'title', type: 'text' },
  { entityType: 'item', name: 'price', type: 'numeric' },
];
const USERS = [
  { externalId: 'u1', metadata: { country: 'DE' } },
  { externalId: 'u2', metadata: { country: 'FR' } },
  { externalId: 'u3', metadata: { country: 'DE' } }, // cold: no training events
];
const ITEMS = [
  { externalId: 'a', metadata: { title: 'red shoe', price: 10 }, vectors: { image: [1, 0] } },
  { externalId: 'b', metadata: { title: 'blue shoe', price: 30 } },
  { externalId: 'c', metadata: { title: 'red hat', price: 20 }, vectors: { image: [0, 1] } }, // cold
];
const DAY = 86_400_000;
const TRAIN: Interaction[] = [
  { userId: 'u1', itemId: 'a', value: 1, time: 0 },
  { userId: 'u2', itemId: 'a', value: 0, time: DAY },
  { userId: 'u1', itemId: 'b', value: 1, time: 2 * DAY },
  { userId: 'u2', itemId: 'b', value: 1, time: 3 * DAY },
];

function setUp() {
  const trainUsers = new Set(TRAIN.map((event) => event.userId));
  const trainItems = new Set(TRAIN.map((event) => event.itemId));
  const userEncoder = EntityEncoder.fit({ entityType: 'user', fields: FIELDS, modalities: [], entities: USERS.filter((u) => trainUsers.has(u.externalId)) });
  const itemEncoder = EntityEncoder.fit(
    { entityType: 'item', fields: FIELDS, modalities: [{ name: 'image', dimension: 2 }], entities: ITEMS.filter((i) => trainItems.has(i.externalId)) },
    { tokenVocabulary: { minCount: 1 } },
  );
  const trainAggregates = computeAggregates(TRAIN, TRAIN, { positiveThreshold: 1 });
  const builder = new ExampleBuilder({
    users: EntityTable.encode(userEncoder, USERS),
    items: EntityTable.encode(itemEncoder, ITEMS),
    userIds: buildIdVocabulary(TRAIN.map((event) => event.userId)),
    itemIds: buildIdVocabulary(TRAIN.map((event) => event.itemId)),
    aggregateStandardizer: fitAggregateStandardizer(trainAggregates),
  });
  const train: ExampleSet = { examples: TRAIN.map((event) => ({ userId: event.userId, itemId: event.itemId, label: event.value })), aggregates: trainAggregates };
  return { builder, train, userEncoder, itemEncoder };
}

describe('ExampleBuilder', () => {
  it('builds a batch with ID indices, standardized aggregates and one entity row per distinct entity', () => {
    const { builder, train } = setUp();
    expect(builder.originalSchema).toEqual({ userIdVocabSize: 3, itemIdVocabSize: 3, aggregateNames: AGGREGATE_NAMES });
    const batch = builder.build(train);
    expect(batch.size).toBe(4);
    expect(batch.users.count).toBe(2);
    expect(batch.items.count).toBe(2);
    expect([...batch.userRow]).toEqual([0, 1, 0, 1]);
    expect([...batch.itemRow]).toEqual([0, 0, 1, 1]);
    expect(new Set(batch.userId)).toEqual(new Set([1, 2]));
    expect([...batch.label!]).toEqual([1, 0, 1, 1]);
    expect(batch.aggregates).toHaveLength(4 * AGGREGATE_NAMES.length);
    // Each aggregate column is standardized over the training examples: mean 0 where defined.
    let sum = 0;
    for (let b = 0; b < 4; b++) sum += batch.aggregates[b * AGGREGATE_NAMES.length]!;
    expect(sum).toBeCloseTo(0, 5);
    expect([...batch.items.modalities[0]!.present]).toEqual([1, 0]);
  });

  it('gives cold users and items ID 0 while still encoding their content', () => {
    const { builder, userEncoder } = setUp();
    const queries = [{ userId: 'u3', itemId: 'c', time: 10 * DAY }, { userId: 'u1', itemId: 'c', time: 10 * DAY }];
    const batch = builder.build({ examples: queries, aggregates: computeAggregates(TRAIN, queries, { positiveThreshold: 1 }) });
    expect([...batch.userId]).toEqual([0, 1]);
    expect([...batch.itemId]).toEqual([0, 0]);
    expect(batch.label).toBeUndefined();
    expect(batch.items.count).toBe(1);
    expect([...batch.items.modalities[0]!.values]).toEqual([0, 1]);
    expect(batch.users.categorical[0]).toBe(userEncoder.vocabulary({ categorical: 'country' }).indexOf('DE'));
    expect(() => builder.build({ examples: [{ userId: 'nobody', itemId: 'a' }], aggregates: new Float32Array(8) })).toThrow('user "nobody" is not in the user table');
  });

  it('drops out IDs and the same side\'s aggregates together, reproducibly by seed', () => {
    const { builder, train } = setUp();
    const cold = builder.build({ examples: [{ userId: 'u3', itemId: 'c' }], aggregates: computeAggregates(TRAIN, [{ userId: 'u3', itemId: 'c', time: 0 }], { positiveThreshold: 1 }) });
    const all = builder.build(train, undefined, { dropout: 1, random: new Random(1) });
    expect([...all.userId, ...all.itemId].every((id) => id === 0)).toBe(true);
    for (let b = 0; b < all.size; b++) {
      expect([...all.aggregates.slice(b * 8, b * 8 + 8)]).toEqual([...cold.aggregates]);
    }
    const userOnly = builder.build(train, undefined, { dropout: { user: 1 }, random: new Random(1) });
    expect([...userOnly.userId]).toEqual([0, 0, 0, 0]);
    expect([...userOnly.itemId].every((id) => id > 0)).toBe(true);
    const plain = builder.build(train);
    for (let b = 0; b < 4; b++) {
      expect([...userOnly.aggregates.slice(b * 8, b * 8 + 4)]).toEqual([...cold.aggregates.slice(0, 4)]);
      expect([...userOnly.aggregates.slice(b * 8 + 4, b * 8 + 8)]).toEqual([...plain.aggregates.slice(b * 8 + 4, b * 8 + 8)]);
    }
    expect(() => builder.build(train, undefined, { dropout: 0.5 })).toThrow(/seeded/);
    // About half of 2,000 draws drop out.
    const many = { examples: Array.from({ length: 500 }, (_, i) => train.examples[i % 4]!), aggregates: new Float32Array(500 * 8) };
    const half = builder.build(many, undefined, { dropout: 0.5, random: new Random(3) });
    const dropped = [...half.userId, ...half.itemId].filter((id) => id === 0).length;
    expect(dropped).toBeGreaterThan(420);
    expect(dropped).toBeLessThan(580);
  });

  it('shuffles into mini-batches that cover every example once, the same way for the same seed', () => {
    const { builder, train } = setUp();
    const batches = [...builder.batches(train, { batchSize: 3, seed: 5 })];
    expect(batches.map((batch) => batch.size)).toEqual([3, 1]);
    const labels = batches.flatMap((batch) => [...batch.label!]).sort();
    expect(labels).toEqual([0, 1, 1, 1]);
    const again = [...builder.batches(train, { batchSize: 3, seed: 5 })];
    expect(again).toEqual(batches);
    expect([...builder.batches(train, { batchSize: 3, seed: 5, dropLast: true })]).toHaveLength(1);
    const unshuffled = [...builder.batches(train, { batchSize: 4, shuffle: false })];
    expect([...unshuffled[0]!.label!]).toEqual([1, 0, 1, 1]);
  });

  it('shuffles a grouped set by whole groups and cuts batches at group borders', () => {
    const { builder, train } = setUp();
    // Two groups of [positive, negative] of one user each.
    const grouped: ExampleSet = { ...train, examples: [train.examples[0]!, { ...train.examples[1]!, userId: 'u1', label: 0 }, train.examples[3]!, { ...train.examples[2]!, userId: 'u2', label: 0 }], groupSize: 2 };
    for (const seed of [1, 2, 3, 4, 5]) {
      const batches = [...builder.batches(grouped, { batchSize: 3, seed })];
      // batchSize 3 rounds down to one group of 2.
      expect(batches.map((batch) => [batch.size, batch.groupSize])).toEqual([[2, 2], [2, 2]]);
      for (const batch of batches) {
        expect([...batch.label!]).toEqual([1, 0]);
        expect(batch.userRow[0]).toBe(batch.userRow[1]);
      }
    }
    const orders = new Set([1, 2, 3, 4, 5, 6].map((seed) => [...builder.batches(grouped, { batchSize: 4, seed })][0]!.userId.join()));
    expect(orders.size).toBe(2);
    expect(() => [...builder.batches({ ...grouped, groupSize: 3 }, { batchSize: 4 })]).toThrow(/not whole groups of 3/);
    // Ungrouped sets carry no groupSize.
    expect([...builder.batches(train, { batchSize: 4 })][0]!.groupSize).toBeUndefined();
  });
});
