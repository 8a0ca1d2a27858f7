import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../ml/backend.ts';
import { computeAggregates } from '../../ml/data/aggregates.ts';
import { Scorer } from '../../ml/serving/Scorer.ts';
import { ServingError } from '../../ml/serving/ServingError.ts';
import { ServingModels } from '../../ml/serving/ServingModels.ts';
import { exampleBuilderFor, loadTrainedModel } from '../../ml/store/modelArtifacts.ts';
import { loadStoreData } from '../../ml/store/loadStoreData.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';
import { readUserItems } from '../../store/sql/readUserItems.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';
import { SERVING_MODEL, seedServingStore } from '../support/servingFixture.ts';

describe('online scoring from materialized features', () => {
  let test: TestDatabase;
  let models: ServingModels;
  let scorer: Scorer;
  let user = '';
  let items: string[] = [];
  beforeAll(async () => {
    await initBackend('wasm');
    test = await openTestDatabase();
    await seedServingStore(test.db);
    models = new ServingModels(test.db);
    scorer = new Scorer(test.db, models);
    const [busiest] = await test.db.sql.query<{ external_id: string }>(
      'SELECT u.external_id FROM app_user u JOIN event e ON e.user_id = u.id GROUP BY u.external_id ORDER BY count(*) DESC, u.external_id LIMIT 1',
    );
    user = busiest!.external_id;
    items = (await test.db.sql.query<{ external_id: string }>('SELECT external_id FROM item ORDER BY id LIMIT 5')).map((row) => row.external_id);
  }, 120_000);
  afterAll(async () => {
    await models.dispose();
    await test.dispose();
  });

  /** The training path's score of (user, item) pairs now: encoders, vocabularies and aggregates over all events. */
  async function referenceScores(userId: string, itemIds: string[]): Promise<number[]> {
    const data = await loadStoreData(test.db);
    const loaded = await loadTrainedModel(test.db, SERVING_MODEL);
    const builder = exampleBuilderFor(loaded.features, data.users, data.items);
    const now = Date.now();
    const queries = itemIds.map((itemId) => ({ userId, itemId, time: now }));
    const aggregates = computeAggregates(data.events, queries, { positiveThreshold: loaded.features.positiveThreshold });
    const prediction = loaded.model.predict(builder.build({ examples: queries, aggregates }));
    const values = Array.from(prediction.dataSync());
    prediction.dispose();
    loaded.model.dispose();
    return values;
  }

  it('predicts exactly what the model scores on the training path, with group weights summing to 1', async () => {
    const itemIds = items;
    const prediction = await scorer.predict(user, itemIds, { name: SERVING_MODEL });
    expect(prediction.userFeatures).toBe('materialized');
    expect(prediction.items.map((item) => item.itemId)).toEqual(itemIds);
    expect(prediction.items.every((item) => item.itemFeatures === 'materialized')).toBe(true);
    const reference = await referenceScores(user, itemIds);
    prediction.items.forEach((item, i) => expect(item.score).toBeCloseTo(reference[i]!, 4));
    for (const item of prediction.items) {
      expect(item.groupWeights.map((g) => g.group)).toEqual(['user_id', 'item_id', 'aggregates', 'user_synth', 'item_synth', 'user_x_item']);
      expect(item.groupWeights.reduce((sum, g) => sum + g.weight, 0)).toBeCloseTo(1, 5);
    }
  });

  it('scores a brand-new item known only by its metadata by running the companion on it', async () => {
    await upsertEntities(test.db.sql, 'item', [{ externalId: 'new-item', metadata: { category: 'books', price: 12.5, title: 'a new book about gardens' } }]);
    const prediction = await scorer.predict(user, ['new-item', items[1]!], { name: SERVING_MODEL });
    expect(prediction.items.map((item) => item.itemFeatures)).toEqual(['computed', 'materialized']);
    const reference = await referenceScores(user, ['new-item', items[1]!]);
    expect(prediction.items[0]!.score).toBeCloseTo(reference[0]!, 4);
    await expect(scorer.predict(user, ['nope-1', items[1]!], { name: SERVING_MODEL })).rejects.toThrow(/no item "nope-1" in the store/);
    await expect(scorer.predict('nobody', [items[1]!], { name: SERVING_MODEL })).rejects.toThrow(ServingError);
    await expect(scorer.predict(user, [items[1]!], { name: SERVING_MODEL, version: 9 })).rejects.toThrow(/no model "synthstore" version 9/);
  });

  it('recommends unseen items from ANN candidates ranked by the primary network, for known and brand-new users', async () => {
    const seen = new Set(await readUserItems(test.db.sql, user));
    expect(seen.size).toBeGreaterThan(0);
    const recommendation = await scorer.recommend(user, 5, { name: SERVING_MODEL });
    expect(recommendation.items).toHaveLength(5);
    expect(recommendation.candidates).toBeGreaterThanOrEqual(5);
    expect(recommendation.items.some((item) => seen.has(item.itemId))).toBe(false);
    const scores = recommendation.items.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const direct = await scorer.predict(user, recommendation.items.map((item) => item.itemId), { name: SERVING_MODEL });
    direct.items.forEach((item, i) => expect(item.score).toBeCloseTo(scores[i]!, 5));

    await upsertEntities(test.db.sql, 'user', [{ externalId: 'new-user', metadata: { age: 30, country: 'DE' } }]);
    const cold = await scorer.recommend('new-user', 3, { name: SERVING_MODEL });
    expect(cold.userFeatures).toBe('computed');
    expect(cold.items).toHaveLength(3);
  });

  it('draws the same candidates from the in-memory exact index as from the HNSW index once it is loaded', async () => {
    const fresh = new Scorer(test.db, models);
    // The first request finds no in-memory index: it searches the HNSW index and starts loading one.
    const fromHnsw = await fresh.recommend(user, 10, { name: SERVING_MODEL }, {}, 40);
    expect(await fresh.prepareRetrieval({ name: SERVING_MODEL })).toBe(true);
    const fromMemory = await fresh.recommend(user, 10, { name: SERVING_MODEL }, {}, 40);
    expect(fromMemory.candidates).toBe(fromHnsw.candidates);
    expect(fromMemory.items.map((item) => item.itemId)).toEqual(fromHnsw.items.map((item) => item.itemId));
    fromMemory.items.forEach((item, i) => expect(item.retrievalScore).toBeCloseTo(fromHnsw.items[i]!.retrievalScore, 4));
    const seen = new Set(await readUserItems(test.db.sql, user));
    expect(fromMemory.items.some((item) => seen.has(item.itemId))).toBe(false);
    const excluded = fromMemory.items[0]!.itemId;
    const without = await fresh.recommend(user, 10, { name: SERVING_MODEL }, { excludeItemIds: [excluded] }, 40);
    expect(without.items.map((item) => item.itemId)).not.toContain(excluded);
  });

  it('takes the candidates\' synthetic features from the in-memory index, not from the database', async () => {
    const fresh = new Scorer(test.db, models);
    expect(await fresh.prepareRetrieval({ name: SERVING_MODEL })).toBe(true);
    const queries = vi.spyOn(test.db.sql, 'query');
    let recommendation;
    let statements;
    try {
      recommendation = await fresh.recommend(user, 10, { name: SERVING_MODEL }, {}, 40);
    } finally {
      statements = [...queries.mock.calls]; // restoring clears them
      queries.mockRestore();
    }
    expect(statements.length).toBeGreaterThan(0);
    const candidates = new Set(recommendation.items.map((item) => item.itemId));
    // Online feature reads pass their entity keys as the third parameter.
    const candidateReads = statements.filter(([text, params]) => text.includes('feature_value fv') && (params?.[2] as unknown[] | undefined)?.some((key) => candidates.has(key as string)));
    expect(candidateReads).toEqual([]);
    expect(recommendation.items.every((item) => item.itemFeatures === 'materialized')).toBe(true);
    // The same scores as a scorer reading those vectors from the database.
    const fromDatabase = await new Scorer(test.db, models).predict(user, [...candidates], { name: SERVING_MODEL });
    recommendation.items.forEach((item, i) => expect(item.score).toBeCloseTo(fromDatabase.items[i]!.score, 6));
  });

  it('gives the combined feature vector of a pair with its group weights', async () => {
    const combined = await scorer.combinedVector(user, items[2]!, { name: SERVING_MODEL });
    expect(combined.vector.length).toBeGreaterThan(8);
    expect(combined.vector.every(Number.isFinite)).toBe(true);
    expect(combined.groupWeights.reduce((sum, g) => sum + g.weight, 0)).toBeCloseTo(1, 5);
    const prediction = await scorer.predict(user, [items[2]!], { name: SERVING_MODEL });
    expect(combined.score).toBeCloseTo(prediction.items[0]!.score, 6);
  });
});
