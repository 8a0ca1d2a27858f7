import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importData } from '../../store/import/importData.ts';
import { jsonlSource } from '../../store/import/jsonl.ts';
import { takeDataSnapshot } from '../../store/registry/dataSnapshots.ts';
import { lineageNeighbours } from '../../store/registry/lineage.ts';
import { loadModelVersion, ModelNotFoundError, registerModelVersion } from '../../store/registry/modelVersions.ts';
import { finishTrainingRun, recordTrainingProgress, startTrainingRun } from '../../store/registry/trainingRuns.ts';
import { smallDataSet, writeJsonlFixture } from '../support/jsonlFixture.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

describe('model registry and training lineage', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabase();
    await importData(test.db, jsonlSource(writeJsonlFixture(smallDataSet())));
  });
  afterEach(async () => {
    await test.dispose();
  });

  it('snapshots the data, runs, stores versions with their bytes, and links them both ways', async () => {
    const snapshot = await takeDataSnapshot(test.db);
    expect(snapshot.rowCounts).toEqual({ users: 3, items: 4, events: 5, embeddings: 2 });
    expect(snapshot.eventWatermark?.toISOString()).toBe('2025-01-04T10:00:00.000Z');

    const runId = await startTrainingRun(test.db, { config: { lr: 0.01 }, seed: 7, backend: 'cpu', dataSnapshotId: snapshot.id });
    await recordTrainingProgress(test.db, runId, [{ epoch: 1, trainLoss: 0.7, learningRate: 0.01, seconds: 1 }], [{ epoch: 1, kind: 'widen', layer: 'hidden0', from: 32, to: 48 }]);
    const weights = new Uint8Array([0, 1, 2, 250, 255]);
    const first = await registerModelVersion(test.db, { name: 'ranker', config: { a: 1 }, artifacts: { vocab: ['x'] }, weights, trainingRunId: runId });
    const second = await registerModelVersion(test.db, { name: 'ranker', config: { a: 2 }, artifacts: {}, weights: new Uint8Array([9]) });
    await finishTrainingRun(test.db, runId, { status: 'succeeded', metrics: { auc: 0.8 } });

    expect([first.version, second.version]).toEqual([1, 2]);
    const loaded = await loadModelVersion(test.db, 'ranker', 1);
    expect(Array.from(loaded.weights)).toEqual(Array.from(weights));
    expect(loaded.artifacts).toEqual({ vocab: ['x'] });
    expect((await loadModelVersion(test.db, 'ranker')).version).toBe(2);
    await expect(loadModelVersion(test.db, 'ranker', 3)).rejects.toThrow(ModelNotFoundError);

    const run = await test.db.prisma.trainingRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: 'succeeded', seed: 7, metrics: { auc: 0.8 } });
    expect(run.codeVersion).toMatch(/^([0-9a-f]{40}(\+dirty)?|synthstore@.+)$/);
    expect(run.sizeChanges).toEqual([{ epoch: 1, kind: 'widen', layer: 'hidden0', from: 32, to: 48 }]);

    expect(await lineageNeighbours(test.db, { kind: 'model_version', id: first.id }, 'upstream')).toEqual([{ kind: 'training_run', id: runId }]);
    expect(await lineageNeighbours(test.db, { kind: 'training_run', id: runId }, 'upstream')).toEqual([{ kind: 'data_snapshot', id: snapshot.id }]);
    expect(await lineageNeighbours(test.db, { kind: 'data_snapshot', id: snapshot.id }, 'downstream')).toEqual([{ kind: 'training_run', id: runId }]);
    expect(await lineageNeighbours(test.db, { kind: 'model_version', id: second.id }, 'upstream')).toEqual([]);
  });

  it('numbers versions without gaps or duplicates when registered concurrently', async () => {
    const stored = await Promise.all(
      [1, 2, 3, 4].map((n) => registerModelVersion(test.db, { name: 'concurrent', config: { n }, artifacts: {}, weights: new Uint8Array([n]) })),
    );
    expect(stored.map((model) => model.version).sort()).toEqual([1, 2, 3, 4]);
  });
});
