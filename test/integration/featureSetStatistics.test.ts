import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { lineageGraph } from '../../store/featureSets/lineageGraph.ts';
import type { NumericStatistics, VectorStatistics } from '../../store/featureSets/statistics.ts';
import { createPendingVersion, publishVersion, writeFeatureValues } from '../../store/featureSets/versions.ts';
import { takeDataSnapshot } from '../../store/registry/dataSnapshots.ts';
import { addLineageEdge } from '../../store/registry/lineage.ts';
import { registerModelVersion } from '../../store/registry/modelVersions.ts';
import { startTrainingRun } from '../../store/registry/trainingRuns.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

const T = '2025-03-01T00:00:00Z';

describe('version statistics, drift and lineage', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => {
    await test.dispose();
  });

  async function model(name: string) {
    return registerModelVersion(test.db, { name, config: {}, artifacts: {}, weights: new Uint8Array([1]) });
  }

  it('stores per-feature statistics and, for synthesized sets, drift against the previous version', async () => {
    const m1 = await model('stats_model');
    const m2 = await model('stats_model');
    await registerFeatureSet(test.db, {
      name: 'stats_synth', entityType: 'item', kind: 'synthesized', owner: 'ml', source: { model: 'stats_model' },
      features: [
        { name: 'score', type: 'numeric' },
        { name: 'flag', type: 'boolean' },
        { name: 'cat', type: 'categorical' },
        { name: 'genres', type: 'tags' },
        { name: 'synthetic', type: 'vector', dimension: 2 },
      ],
    });
    const v1 = await createPendingVersion(test.db, 'stats_synth', { modelVersionId: m1.id });
    await writeFeatureValues(test.db, v1, [
      { entityKey: 'a', values: { score: 1, flag: true, cat: 'x', genres: ['p', 'q'] }, vector: [1, 0], validFrom: T },
      { entityKey: 'b', values: { score: 2, flag: false, cat: 'y', genres: [] }, vector: [0, 2], validFrom: T },
      { entityKey: 'c', values: { score: 3, flag: null, cat: 'x' }, vector: [3, 4], validFrom: T },
      { entityKey: 'd', values: {}, vector: null, validFrom: T },
    ]);
    const first = await publishVersion(test.db, v1.id);
    const stats = first.statistics!;
    expect(stats.rowCount).toBe(4);
    expect(first.rowCount).toBe(4);
    const score = stats.features.score as NumericStatistics;
    expect(score).toMatchObject({ type: 'numeric', count: 3, nullRate: 0.25, mean: 2, min: 1, max: 3 });
    expect(score.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(stats.features.flag).toMatchObject({ type: 'boolean', count: 2, nullRate: 0.5, mean: 0.5, std: 0.5, min: 0, max: 1 });
    expect(stats.features.cat).toEqual({ type: 'categorical', count: 3, nullRate: 0.25, distinct: 2 });
    expect(stats.features.genres).toEqual({ type: 'tags', count: 2, nullRate: 0.5, meanLength: 1 });
    const vector = stats.features.synthetic as VectorStatistics;
    // Norms 1, 2, 5 (d has no vector).
    expect(vector).toMatchObject({ type: 'vector', dimension: 2, count: 3, nullRate: 0.25, minNorm: 1, maxNorm: 5 });
    expect(vector.meanNorm).toBeCloseTo(8 / 3, 6);
    expect(vector.stdNorm).toBeCloseTo(Math.sqrt(78 / 27), 6);
    // Dimension means 4/3 and 2; population stds sqrt(14)/3 and sqrt(8/3).
    expect(vector.meanVector![0]).toBeCloseTo(4 / 3, 6);
    expect(vector.meanVector![1]).toBeCloseTo(2, 6);
    expect(vector.dimensionMean!.mean).toBeCloseTo(5 / 3, 6);
    expect(vector.dimensionStd!.min).toBeCloseTo(Math.sqrt(14) / 3, 5);
    expect(vector.dimensionStd!.max).toBeCloseTo(Math.sqrt(8 / 3), 5);
    expect(stats.drift).toBeNull();

    const v2 = await createPendingVersion(test.db, 'stats_synth', { modelVersionId: m2.id });
    await writeFeatureValues(test.db, v2, [
      { entityKey: 'a', values: {}, vector: [0, 1], validFrom: T }, // cosine 0 with [1, 0]
      { entityKey: 'b', values: {}, vector: [0, 3], validFrom: T }, // cosine 1
      { entityKey: 'c', values: {}, vector: [3, 4], validFrom: T }, // cosine 1
      { entityKey: 'e', values: {}, vector: [1, 1], validFrom: T }, // new entity
      { entityKey: 'd', values: {}, vector: null, validFrom: T },
    ]);
    const drift = (await publishVersion(test.db, v2.id)).statistics!.drift!;
    expect(drift.againstVersion).toBe(1);
    expect(drift.commonEntities).toBe(3);
    expect(drift.meanCosineSimilarity).toBeCloseTo(2 / 3, 6);
    expect(drift.meanCosineShift).toBeCloseTo(1 / 3, 6);
    // Previous norms 1, 2, 5: deciles (percentile_cont) 1.2 1.4 1.6 1.8 2 2.6 3.2 3.8 4.4, one norm in bins 0, 5, 9.
    // New norms 1, 3, 5, sqrt(2): bins 0, 6, 9, 2.
    expect(drift.psi!.edges.map((edge) => Number(edge.toFixed(9)))).toEqual([1.2, 1.4, 1.6, 1.8, 2, 2.6, 3.2, 3.8, 4.4]);
    expect(drift.psi!.expected).toEqual([1 / 3, 0, 0, 0, 0, 1 / 3, 0, 0, 0, 1 / 3]);
    expect(drift.psi!.actual).toEqual([0.25, 0, 0.25, 0, 0, 0, 0.25, 0, 0, 0.25]);
    const floor = 1e-4;
    const term = (a: number, e: number) => (a - e) * Math.log(a / e);
    const psi = term(0.25, 1 / 3) + term(0.25, floor) + term(floor, 1 / 3) + term(0.25, floor) + term(0.25, 1 / 3);
    expect(drift.psi!.value).toBeCloseTo(psi, 9);
    expect(drift.psi!.value).toBeCloseTo(6.66153, 4);
    expect(drift.meanNormShift).toBeCloseTo((1 + 3 + 5 + Math.SQRT2) / 4 - 8 / 3, 6);
    // Centroids (4/3, 2) and (1, 9/4).
    const cosine = (4 / 3 + 2 * 9 / 4) / (Math.hypot(4 / 3, 2) * Math.hypot(1, 9 / 4));
    expect(drift.centroidCosineShift).toBeCloseTo(1 - cosine, 6);

    // A changed dimension: no per-entity cosine, the norm PSI still applies.
    await registerFeatureSet(test.db, {
      name: 'stats_synth', entityType: 'item', kind: 'synthesized', owner: 'ml', source: { model: 'stats_model' },
      features: [{ name: 'synthetic', type: 'vector', dimension: 3 }],
    });
    const v3 = await createPendingVersion(test.db, 'stats_synth', { modelVersionId: m2.id });
    await writeFeatureValues(test.db, v3, [{ entityKey: 'a', values: {}, vector: [0, 0, 1], validFrom: T }]);
    const third = (await publishVersion(test.db, v3.id)).statistics!.drift!;
    expect(third).toMatchObject({ againstVersion: 2, commonEntities: 0, meanCosineSimilarity: null, meanCosineShift: null, centroidCosineShift: null });
    expect(third.psi!.value).toBeGreaterThan(0);
  });

  it('computes no drift for raw sets', async () => {
    await registerFeatureSet(test.db, { name: 'stats_raw', entityType: 'user', kind: 'raw', owner: 'x', source: { fields: ['x'] }, features: [{ name: 'x', type: 'numeric' }] });
    for (const x of [1, 2]) {
      const version = await createPendingVersion(test.db, 'stats_raw');
      await writeFeatureValues(test.db, version, [{ entityKey: 'u', values: { x }, validFrom: T }]);
      const published = await publishVersion(test.db, version.id);
      expect(published.statistics).toEqual({ rowCount: 1, features: { x: { type: 'numeric', count: 1, nullRate: 0, mean: x, std: 0, min: x, max: x } } });
    }
  });

  it('walks lineage upstream of a feature set version and downstream of a snapshot or a model, bounded by depth', async () => {
    const snapshot = await takeDataSnapshot(test.db);
    const runId = await startTrainingRun(test.db, { config: {}, seed: 1, backend: 'cpu', dataSnapshotId: snapshot.id });
    const trained = await registerModelVersion(test.db, { name: 'lineage_model', config: {}, artifacts: {}, weights: new Uint8Array([1]), trainingRunId: runId });
    await registerFeatureSet(test.db, {
      name: 'lineage_synth', entityType: 'user', kind: 'synthesized', owner: 'ml', source: { model: 'lineage_model' },
      features: [{ name: 's', type: 'vector', dimension: 2 }],
    });
    const version = await createPendingVersion(test.db, 'lineage_synth', { modelVersionId: trained.id });
    const run = await test.db.prisma.materializationRun.create({ data: { featureSetVersionId: version.id, modelVersionId: trained.id, mode: 'full', status: 'succeeded' } });
    await addLineageEdge(test.db, { kind: 'model_version', id: trained.id }, { kind: 'materialization_run', id: run.id });
    await addLineageEdge(test.db, { kind: 'materialization_run', id: run.id }, { kind: 'feature_set_version', id: version.id });

    const upstream = await lineageGraph(test.db, { kind: 'feature_set_version', id: version.id }, 'upstream');
    expect(upstream.start).toMatchObject({ kind: 'feature_set_version', id: version.id, depth: 0, record: { featureSet: 'lineage_synth', version: 1, status: 'pending' } });
    expect(upstream.nodes.map((node) => [node.kind, node.id, node.depth])).toEqual([
      ['materialization_run', run.id, 1],
      ['model_version', trained.id, 1],
      ['training_run', runId, 2],
      ['data_snapshot', snapshot.id, 3],
    ]);
    expect(upstream.nodes[1]?.record).toMatchObject({ name: 'lineage_model', version: 1, trainingRunId: runId });
    expect(upstream.nodes[3]?.record).toMatchObject({ rowCounts: snapshot.rowCounts });
    expect(upstream.edges).toContainEqual({ from: { kind: 'model_version', id: trained.id }, to: { kind: 'materialization_run', id: run.id } });
    expect(upstream.edges).toContainEqual({ from: { kind: 'data_snapshot', id: snapshot.id }, to: { kind: 'training_run', id: runId } });
    expect(upstream.edges).toHaveLength(5);

    const downstream = await lineageGraph(test.db, { kind: 'data_snapshot', id: snapshot.id }, 'downstream');
    expect(downstream.nodes.map((node) => [node.kind, node.depth])).toEqual([
      ['training_run', 1],
      ['model_version', 2],
      ['feature_set_version', 3],
      ['materialization_run', 3],
    ]);
    expect(downstream.nodes[0]?.record).toMatchObject({ id: runId, seed: 1, backend: 'cpu' });
    const bounded = await lineageGraph(test.db, { kind: 'data_snapshot', id: snapshot.id }, 'downstream', { maxDepth: 2 });
    expect(bounded.nodes.map((node) => node.kind)).toEqual(['training_run', 'model_version']);
    const fromModel = await lineageGraph(test.db, { kind: 'model_version', id: trained.id }, 'downstream');
    expect(fromModel.nodes.map((node) => [node.kind, node.depth])).toEqual([['feature_set_version', 1], ['materialization_run', 1]]);
    expect((await lineageGraph(test.db, { kind: 'model_version', id: 999_999 }, 'upstream')).start.record).toBeNull();
    await expect(lineageGraph(test.db, { kind: 'model_version', id: trained.id }, 'upstream', { maxDepth: 0 })).rejects.toThrow(RangeError);
  });
});
