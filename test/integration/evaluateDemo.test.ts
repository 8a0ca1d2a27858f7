/**
 * The evaluation pipeline end to end on small generated data (store/demo): FeaturePipeline
 * invariants (no leakage into vocabularies, cold aliases, point-in-time aggregates), then a
 * tiny item-cold and user-cold evaluation (1 seed, 1 epoch) that checks the report's shape and
 * that every number is finite and in range. The real-data evaluation is a benchmark
 * (`npm run bench -- quality`), not a test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../ml/backend.ts';
import { AGGREGATE_NAMES } from '../../ml/data/aggregates.ts';
import { evaluateData } from '../../ml/evaluate/runEvaluation.ts';
import { METRICS, type EvaluationReport } from '../../ml/evaluate/report.ts';
import { loadStoreData, type StoreData } from '../../ml/store/loadStoreData.ts';
import { selectVariants } from '../../ml/evaluate/variants.ts';
import { asCold, coldAlias, FeaturePipeline } from '../../ml/pipeline/FeaturePipeline.ts';
import { DEFAULT_DEMO_OPTIONS, demoDataSource } from '../../store/demo/demoData.ts';
import { importData } from '../../store/import/importData.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

describe('evaluation on generated data', () => {
  let test: TestDatabase;
  let data: StoreData;

  beforeAll(async () => {
    await initBackend();
    test = await openTestDatabase();
    await importData(test.db, demoDataSource({ ...DEFAULT_DEMO_OPTIONS, seed: 7, users: 200, items: 60, eventsPerUser: 20 }));
    const stored = await loadStoreData(test.db);
    // Implicit feedback as a binary label: a click or purchase is positive, a view negative.
    data = {
      ...stored,
      events: stored.events.filter((event) => event.type !== 'rating').map((event) => ({ ...event, value: event.type === 'view' ? 0 : 1 })),
    };
  }, 60_000);
  afterAll(async () => {
    await test?.dispose();
  });

  it('prepares encoders and ID vocabularies from training events only, with cold aliases', () => {
    const train = data.events.slice(0, Math.floor(data.events.length / 2));
    const later = data.events.slice(train.length);
    const pipeline = new FeaturePipeline({
      fields: data.fields,
      modalities: data.modalities,
      users: data.users,
      items: data.items,
      trainEvents: train,
      positiveThreshold: 1,
      label: (event) => event.value,
      laterIds: { items: later.map((event) => event.itemId) },
    });
    const trainItems = new Set(train.map((event) => event.itemId));
    const laterOnly = later.find((event) => !trainItems.has(event.itemId));
    // Training ids keep their indices; later ids are known to the 'all' builder only.
    for (const id of trainItems) expect(pipeline.itemIds.indexOf(id)).toBe(pipeline.trainItemIds.indexOf(id));
    if (laterOnly) {
      expect(pipeline.trainItemIds.indexOf(laterOnly.itemId)).toBe(0);
      expect(pipeline.itemIds.indexOf(laterOnly.itemId)).toBeGreaterThan(0);
    }
    expect(pipeline.schemas().original.itemIdVocabSize).toBe(pipeline.itemIds.size);
    expect(pipeline.users.rowOf(coldAlias(data.users[0]!.externalId))).toBeDefined();

    const row = later[0]!;
    const set = pipeline.examples([row, asCold(row, 'item')], train);
    expect(set.aggregates).toHaveLength(2 * AGGREGATE_NAMES.length);
    const batch = pipeline.builder('all').build(set);
    expect(batch.itemId[1]).toBe(0);
    expect(batch.userId[1]).toBe(batch.userId[0]);
    // The alias has no history: its item aggregates are those of an unknown item.
    expect(set.aggregates[AGGREGATE_NAMES.length + 4]).toBe(0);
    expect(batch.items.count).toBe(2);
  });

  function checkReport(report: EvaluationReport, protocol: string, variants: number): void {
    expect(report.protocol).toBe(protocol);
    expect(typeof report.dataset).toBe('string');
    expect(report.variants).toHaveLength(variants);
    for (const variant of report.variants) {
      expect(['baseline', 'synthstore']).toContain(variant.family);
      expect(variant.seeds).toBe(1);
      for (const metric of METRICS) {
        expect(variant).toHaveProperty(metric);
        expect(variant).toHaveProperty(`${metric}_sd`);
      }
      expect(variant.cold_auc).not.toBeNull();
      expect(variant.cold_auc!).toBeGreaterThanOrEqual(0);
      expect(variant.cold_auc!).toBeLessThanOrEqual(1);
      expect(Number.isFinite(variant.logloss)).toBe(true);
      expect(variant.logloss!).toBeGreaterThan(0);
      expect(variant.ndcg10!).toBeGreaterThan(0);
      expect(variant.ndcg10!).toBeLessThanOrEqual(1);
      expect(variant.train_seconds).toBeGreaterThanOrEqual(0);
      expect(variant.warm_auc!).toBeGreaterThanOrEqual(0);
      expect(variant.warm_auc!).toBeLessThanOrEqual(1);
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  }

  it('runs item-cold with warm phases: the report has the issue\'s shape and finite numbers', async () => {
    const report = await evaluateData(data, {
      protocol: 'item-cold',
      dataset: 'demo',
      variants: ['a', 'e', 'd-mlp-attention'],
      seeds: 1,
      settings: { epochs: 1, updateEpochs: 1 },
      movieLens: { positiveThreshold: 1, protocolA: { hotAbove: 60, coldMin: 15, warmSize: 3 } },
    });
    checkReport(report, 'item-cold', 3);
    for (const variant of report.variants) {
      for (const stage of ['warm_a_auc', 'warm_b_auc', 'warm_c_auc'] as const) {
        expect(variant[stage]!).toBeGreaterThanOrEqual(0);
        expect(variant[stage]!).toBeLessThanOrEqual(1);
      }
    }
    expect(report.targets.map((target) => target.name)).toContain('cold AUC >= best baseline + 0.02');
  }, 60_000);

  it('runs user-cold (no warm phases) with held-out validation users', async () => {
    const report = await evaluateData(data, {
      protocol: 'user-cold',
      variants: ['b'],
      seeds: 1,
      settings: { epochs: 1, validation: 'entities' },
      movieLens: { positiveThreshold: 1 },
    });
    checkReport(report, 'user-cold', 1);
    expect(report.variants[0]!.warm_a_auc).toBeNull();
    expect(report.split.validation_entity_events).toBeGreaterThan(0);
    expect(report.variants[0]!.validation_cold_auc!).toBeGreaterThanOrEqual(0);
    expect(report.variants[0]!.validation_cold_auc!).toBeLessThanOrEqual(1);
  }, 60_000);

  it('selects variants by name, prefix and preset, and rejects unknown names', () => {
    expect(selectVariants(['d-mlp-attention'], 'auc', false).map((v) => v.name)).toEqual(['d-mlp-attention']);
    const mlp = selectVariants(['d-mlp'], 'auc', false).map((v) => v.name);
    expect(mlp.length).toBe(9);
    expect(mlp).toContain('d-mlp-concat-idx');
    expect(mlp).toContain('d-mlp-attention-no-retrieval');
    expect(mlp.every((name) => name.startsWith('d-mlp-'))).toBe(true);
    expect(selectVariants(['e'], 'ranking', false).map((v) => v.name)).toEqual(['e-content-knn']);
    expect(selectVariants(undefined, 'auc', true).map((v) => v.name)).toEqual(['a-ids-aggregates', 'b-raw-metadata', 'c-dropoutnet', 'e-logistic-regression', 'd-mlp-attention']);
    expect(() => selectVariants(['zzz'], 'auc', false)).toThrow(/unknown variant/);
  });
});
