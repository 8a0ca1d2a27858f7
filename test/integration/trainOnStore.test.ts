import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../ml/backend.ts';
import { exampleBuilderFor, loadTrainedModel } from '../../ml/store/modelArtifacts.ts';
import { loadStoreData } from '../../ml/store/loadStoreData.ts';
import { trainOnStore, TrainingDataError } from '../../ml/store/trainOnStore.ts';
import { demoDataSource } from '../../store/demo/demoData.ts';
import { importData } from '../../store/import/importData.ts';
import { lineageNeighbours } from '../../store/registry/lineage.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

describe('training on the store', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    await initBackend('wasm');
    test = await openTestDatabase();
  });
  afterAll(async () => {
    await test.dispose();
  });

  it('refuses a store without enough events', async () => {
    await expect(trainOnStore(test.db, {}, { backend: 'wasm' })).rejects.toThrow(TrainingDataError);
  });

  it('trains, registers a model version with its lineage, and loads it back to identical predictions', async () => {
    await importData(test.db, demoDataSource({ seed: 3, users: 150, items: 100, eventsPerUser: 12, coldShare: 0.1 }));
    const config = { name: 'demo-ranker', training: { epochs: 3, batchSize: 256 }, model: { companion: { synthDim: 8, mlp: { hiddenSizes: [16] } } } };
    const result = await trainOnStore(test.db, config, { backend: 'wasm' });
    expect(result).toMatchObject({ modelName: 'demo-ranker', modelVersion: 1 });
    expect(result.epochs.length).toBeGreaterThan(0);
    expect(result.validation.auc).toBeGreaterThan(0.5);
    expect(result.coldItemValidation.auc).toBeGreaterThan(0.5);

    const run = await test.db.prisma.trainingRun.findUniqueOrThrow({ where: { id: result.trainingRunId } });
    expect(run.status).toBe('succeeded');
    expect((run.epochs as unknown[]).length).toBe(result.epochs.length);
    expect(run.backend).toBe('wasm');
    expect(await lineageNeighbours(test.db, { kind: 'model_version', id: result.modelVersionId }, 'upstream')).toEqual([{ kind: 'training_run', id: result.trainingRunId }]);
    expect(await lineageNeighbours(test.db, { kind: 'training_run', id: result.trainingRunId }, 'upstream')).toEqual([{ kind: 'data_snapshot', id: result.dataSnapshotId }]);

    // Loaded twice from the database, the model scores the same examples identically.
    const data = await loadStoreData(test.db);
    const queries = { examples: data.events.slice(0, 64).map((event) => ({ userId: event.userId, itemId: event.itemId })), aggregates: new Float32Array(64 * 8).fill(Number.NaN) };
    const score = async () => {
      const loaded = await loadTrainedModel(test.db, 'demo-ranker');
      const builder = exampleBuilderFor(loaded.features, data.users, data.items);
      const prediction = loaded.model.predict(builder.build(queries));
      const values = Array.from(prediction.dataSync());
      prediction.dispose();
      loaded.model.dispose();
      return values;
    };
    const first = await score();
    expect(first.every((value) => value > 0 && value < 1)).toBe(true);
    expect(await score()).toEqual(first);

    const second = await trainOnStore(test.db, config, { backend: 'wasm' });
    expect(second.modelVersion).toBe(2);
  });

  it('trains with a ranking loss on each positive and its sampled negatives, and says when there are none', async () => {
    // The demo store of the test above: explicit negatives (views), so negatives are asked for.
    const base = { name: 'demo-bpr', training: { epochs: 2, batchSize: 256, ranking: { loss: 'bpr' } }, model: { companion: { synthDim: 8, mlp: { hiddenSizes: [16] } } } };
    const result = await trainOnStore(test.db, { ...base, target: { task: 'binary', negativeSamples: 2 } }, { backend: 'wasm' });
    expect(result.examples.train % 3).toBe(0);
    expect(result.validation.auc).toBeGreaterThan(0.5);
    await expect(trainOnStore(test.db, { ...base, target: { task: 'binary', negativeSamples: 0 } }, { backend: 'wasm' })).rejects.toThrow(/training.ranking needs sampled negatives/);
  });
});
