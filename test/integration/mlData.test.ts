/**
 * The data side of the ML-100K evaluation, end to end on the real data set: import, read
 * through the store's SQL, split by protocol A, build an ExampleBatch, and measure the
 * logistic-regression baseline (metadata one-hot + user id) at the four protocol stages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatureIndex, encodeFeatures, LogisticRegression } from '../../ml/baselines/logisticRegression.ts';
import { MetadataOneHot } from '../../ml/baselines/metadataOneHot.ts';
import { AGGREGATE_NAMES, computeAggregates } from '../../ml/data/aggregates.ts';
import { EntityTable } from '../../ml/data/EntityTable.ts';
import { buildIdVocabulary, ExampleBuilder, fitAggregateStandardizer } from '../../ml/data/ExampleBuilder.ts';
import {
  historyAtStage,
  PROTOCOL_A_STAGES,
  protocolALabel,
  splitProtocolA,
  splitProtocolAUserCold,
  updateForStage,
  type ProtocolASplit,
} from '../../ml/data/splits/movielensProtocolA.ts';
import { EntityEncoder } from '../../ml/features/EntityEncoder.ts';
import { rocAuc } from '../../ml/metrics/auc.ts';
import { importData } from '../../store/import/importData.ts';
import { movieLensSource } from '../../store/import/movielens.ts';
import type { FieldDeclaration } from '../../store/ingest/records.ts';
import { loadMetadataFields } from '../../store/sql/metadataFields.ts';
import { loadModalities } from '../../store/sql/modalities.ts';
import { readEntities, type StoredEntity } from '../../store/sql/readEntities.ts';
import { readEvents, type StoredEvent } from '../../store/sql/readEvents.ts';
import { sharedDataSet } from '../support/sharedData.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

const movieLens = sharedDataSet('ml-100k');

describe.skipIf(!movieLens)('ML-100K protocol A through the store (ml-100k from ../shared/data)', () => {
  let test: TestDatabase;
  let fields: FieldDeclaration[];
  let users: StoredEntity[];
  let items: StoredEntity[];
  let events: StoredEvent[];
  let split: ProtocolASplit<StoredEvent>;

  beforeAll(async () => {
    test = await openTestDatabase();
    await importData(test.db, movieLensSource(movieLens!));
    fields = await loadMetadataFields(test.db.sql);
    users = await readEntities(test.db.sql, 'user', { modalities: true });
    items = await readEntities(test.db.sql, 'item', { modalities: true });
    events = await readEvents(test.db.sql, { types: ['rating'] });
    split = splitProtocolA(events);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it('reads 943 users, 1682 items and 100000 ratings in time order', () => {
    expect(users).toHaveLength(943);
    expect(items).toHaveLength(1682);
    expect(events).toHaveLength(100_000);
    for (let k = 1; k < events.length; k++) expect(events[k]!.time).toBeGreaterThanOrEqual(events[k - 1]!.time);
  });

  it('splits items into hot, cold and excluded, with exactly 10/10/10 warm rows per cold item', () => {
    const counts = {
      hotItems: split.hotItems.length,
      coldItems: split.coldItems.length,
      excludedItems: split.excludedItems.length,
      train: split.train.length,
      warmA: split.warm[0]!.length,
      warmB: split.warm[1]!.length,
      warmC: split.warm[2]!.length,
      test: split.test.length,
      excluded: split.excluded.length,
      testPositiveRate: split.test.filter((event) => protocolALabel(event.value) === 1).length / split.test.length,
    };
    console.log('ML-100K protocol A split:', JSON.stringify(counts));
    expect(counts.hotItems).toBeGreaterThan(250);
    expect(counts.hotItems).toBeLessThan(450);
    expect(counts.coldItems).toBeGreaterThan(300);
    expect(counts.coldItems).toBeLessThan(600);
    expect(counts.hotItems + counts.coldItems + counts.excludedItems).toBe(1682);
    expect(counts.train + counts.warmA + counts.warmB + counts.warmC + counts.test + counts.excluded).toBe(100_000);
    expect(counts.test).toBeGreaterThan(5_000);
    for (const phase of split.warm) {
      const perItem = new Map<string, number>();
      for (const event of phase) perItem.set(event.itemId, (perItem.get(event.itemId) ?? 0) + 1);
      expect(perItem.size).toBe(counts.coldItems);
      expect([...perItem.values()].every((count) => count === 10)).toBe(true);
    }
    const cold = new Set(split.coldItems);
    expect(split.train.some((event) => cold.has(event.itemId))).toBe(false);

    const userCold = splitProtocolAUserCold(events, { seed: 42 });
    console.log('ML-100K user cold start:', JSON.stringify({
      trainUsers: userCold.trainUsers.length,
      coldUsers: userCold.coldUsers.length,
      train: userCold.train.length,
      test: userCold.test.length,
      excluded: userCold.excluded.length,
    }));
    expect(userCold.coldUsers).toHaveLength(189);
  });

  it('builds an ExampleBatch from training data only, with cold items encoded from content', () => {
    const trainUsers = new Set(split.train.map((event) => event.userId));
    const trainItems = new Set(split.train.map((event) => event.itemId));
    const modalities = [] as { name: string; dimension: number }[];
    const userEncoder = EntityEncoder.fit({ entityType: 'user', fields, modalities, entities: users.filter((user) => trainUsers.has(user.externalId)) });
    const itemEncoder = EntityEncoder.fit(
      { entityType: 'item', fields, modalities, entities: items.filter((item) => trainItems.has(item.externalId)) },
      { excludeFields: ['imdb_url'] },
    );
    const positiveThreshold = 4;
    const trainAggregates = computeAggregates(split.train, split.train, { positiveThreshold });
    const builder = new ExampleBuilder({
      users: EntityTable.encode(userEncoder, users),
      items: EntityTable.encode(itemEncoder, items),
      userIds: buildIdVocabulary(split.train.map((event) => event.userId)),
      itemIds: buildIdVocabulary(split.train.map((event) => event.itemId)),
      aggregateStandardizer: fitAggregateStandardizer(trainAggregates),
    });
    const toExample = (event: StoredEvent) => ({ userId: event.userId, itemId: event.itemId, label: protocolALabel(event.value) });
    const [batch] = builder.batches({ examples: split.train.map(toExample), aggregates: trainAggregates }, { batchSize: 512, seed: 1, dropout: 0.25 });
    expect(batch!.size).toBe(512);
    expect(batch!.users.count).toBeLessThanOrEqual(512);
    expect(batch!.items.count).toBeLessThan(trainItems.size + 1);
    expect(batch!.aggregates).toHaveLength(512 * AGGREGATE_NAMES.length);
    expect(batch!.users.categorical).toHaveLength(batch!.users.count * userEncoder.schema.categoricalNames.length);
    const dropped = [...batch!.itemId].filter((id) => id === 0).length;
    expect(dropped).toBeGreaterThan(80);
    expect(dropped).toBeLessThan(180);
    console.log('ML-100K user schema:', JSON.stringify(userEncoder.schema));
    console.log('ML-100K item schema:', JSON.stringify(itemEncoder.schema));

    const testQueries = split.test.map(toExample);
    const testAggregates = computeAggregates(historyAtStage(split, 'cold'), split.test, { positiveThreshold });
    const testBatch = builder.build({ examples: testQueries.slice(0, 100), aggregates: testAggregates.subarray(0, 100 * AGGREGATE_NAMES.length) });
    expect([...testBatch.itemId].every((id) => id === 0)).toBe(true);
    expect(testBatch.items.tokens.some((token) => token > 0)).toBe(true);
  });

  it('measures the logistic-regression baseline (metadata one-hot + user id) at every stage', async () => {
    const started = performance.now();
    const trainUsers = new Set(split.train.map((event) => event.userId));
    const trainItems = new Set(split.train.map((event) => event.itemId));
    const userFields = fields.filter((field) => field.entityType === 'user');
    const itemFields = fields.filter((field) => field.entityType === 'item');
    const userOneHot = MetadataOneHot.fit(userFields, users.filter((user) => trainUsers.has(user.externalId)).map((user) => user.metadata), { prefix: 'user.', excludeFields: ['zip'] });
    const itemOneHot = MetadataOneHot.fit(itemFields, items.filter((item) => trainItems.has(item.externalId)).map((item) => item.metadata), { prefix: 'item.', excludeFields: ['imdb_url'] });
    const userFeatures = new Map(users.map((user) => [user.externalId, [`user=${user.externalId}`, ...userOneHot.features(user.metadata)]]));
    const itemFeatures = new Map(items.map((item) => [item.externalId, itemOneHot.features(item.metadata)]));
    const featuresOf = (event: StoredEvent): string[] => [...userFeatures.get(event.userId)!, ...itemFeatures.get(event.itemId)!];
    const index = buildFeatureIndex(split.train.map(featuresOf));
    const rows = (part: readonly StoredEvent[]) => part.map((event) => encodeFeatures(index, featuresOf(event)));
    const labels = (part: readonly StoredEvent[]) => part.map((event) => protocolALabel(event.value));

    const model = new LogisticRegression(index.size).fit(rows(split.train), labels(split.train), { epochs: 5, seed: 42 });
    const testRows = rows(split.test);
    const testLabels = labels(split.test);
    const auc: Record<string, number> = {};
    for (const stage of PROTOCOL_A_STAGES) {
      const update = updateForStage(split, stage);
      if (update.length > 0) model.fit(rows(update), labels(update), { epochs: 5, seed: 42 });
      auc[stage] = rocAuc(model.predictAll(testRows), testLabels);
    }
    console.log('ML-100K LR baseline AUC:', JSON.stringify(auc), `(${Math.round(performance.now() - started)} ms)`);
    expect(auc.cold).toBeGreaterThan(0.5);
  });
});
