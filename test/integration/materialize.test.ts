import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDependencies } from '../../jobs/interfaces.ts';
import { finalizeRuns } from '../../jobs/materialize/finalizeRuns.ts';
import { planMaterialization } from '../../jobs/materialize/planMaterialization.ts';
import { runMaterialization } from '../../jobs/materialize/runMaterialization.ts';
import { getRunProgress } from '../../jobs/materialize/runProgress.ts';
import { workOnPartitions } from '../../jobs/materialize/workOnPartitions.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { getOnlineFeatures } from '../../store/featureSets/getFeatures.ts';
import { getVersion, resolveVersion } from '../../store/featureSets/versions.ts';
import { claimPartition } from '../../store/sql/claimPartition.ts';
import { countPartitionRows } from '../../store/sql/partitionLease.ts';
import { upsertEmbeddings } from '../../store/sql/upsertEmbeddings.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';
import { layoutRowsSql, readVersionRowLayout } from '../../store/sql/versionRows.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';
import { countRows, FAST_SETTINGS, imageVector, itemKey, itemMetadata, seedItems, waitFor } from '../support/materializeFixtures.ts';

const N = 300;

describe('materialization runs', () => {
  let test: TestDatabase;
  let deps: JobDependencies;
  let sets: Awaited<ReturnType<typeof seedItems>>;
  beforeAll(async () => {
    test = await openTestDatabase();
    deps = { db: test.db, log: pino({ level: 'silent' }), backend: 'cpu' };
    sets = await seedItems(test.db, N);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it('a full run writes exactly one row per entity, reports progress and publishes', async () => {
    const seen: number[] = [];
    const result = await runMaterialization(deps, { featureSet: sets.embedding, mode: 'full', partitions: 3 }, {
      worker: 'w1', settings: FAST_SETTINGS, onProgress: (run) => seen.push(run.rowsDone),
    });
    expect(result.run).toMatchObject({ status: 'succeeded', rowsDone: N, rowsTotal: N, versionStatus: 'published', partitions: { total: 3, succeeded: 3 } });
    expect(seen.some((done) => done > 0 && done < N)).toBe(true);
    expect(await countRows(test.db, result.plan.version.id)).toEqual({ rows: N, keys: N });
    const read = await getOnlineFeatures(test.db, { featureSet: sets.embedding, version: 'latest', entityKeys: [itemKey(7)] });
    expect(read.rows[0]).toMatchObject({ status: 'ok' });
  });

  it('publishes atomically: during a run readers see the previous version only', async () => {
    const v1 = await runMaterialization(deps, { featureSet: sets.raw, mode: 'full', partitions: 2 }, { worker: 'w1', settings: FAST_SETTINGS });
    expect(v1.run.status).toBe('succeeded');
    await upsertEntities(test.db.sql, 'item', [{ externalId: itemKey(1), metadata: itemMetadata(1, 1_000) }]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let paused!: () => void;
    const pausedAfterFirstBatch = new Promise<void>((resolve) => (paused = resolve));
    let batches = 0;
    const running = runMaterialization(deps, { featureSet: sets.raw, mode: 'full', partitions: 2 }, {
      worker: 'w1', settings: FAST_SETTINGS,
      hooks: { afterBatch: async () => { if (++batches === 2) { paused(); await released; } } },
    });
    await pausedAfterFirstBatch;
    const progress = await waitFor('a running run', async () => {
      const [row] = await test.db.sql.query<{ id: number }>("SELECT id FROM materialization_run WHERE status = 'running'");
      return row ? getRunProgress(test.db, row.id) : undefined;
    });
    expect(progress.rowsDone).toBeGreaterThan(0);
    expect(progress.rowsDone).toBeLessThan(N);
    expect(progress.versionStatus).toBe('pending');
    const latest = await resolveVersion(test.db, sets.raw, 'latest');
    expect(latest.version).toBe(v1.plan.version.version);
    const read = await getOnlineFeatures(test.db, { featureSet: sets.raw, version: 'latest', entityKeys: [itemKey(1)] });
    expect(read).toMatchObject({ version: v1.plan.version.version, rows: [{ values: { price: 1 } }] });
    await expect(getOnlineFeatures(test.db, { featureSet: sets.raw, version: v1.plan.version.version + 1, entityKeys: [itemKey(1)] })).rejects.toThrow(/no readable version/);
    release();
    const v2 = await running;
    expect(v2.run.status).toBe('succeeded');
    const after = await getOnlineFeatures(test.db, { featureSet: sets.raw, version: 'latest', entityKeys: [itemKey(1)] });
    expect(after).toMatchObject({ version: v2.plan.version.version, rows: [{ values: { price: 1_000, category: 'c1' } }] });
  });

  it('two workers split one run: disjoint partitions, one row per entity', async () => {
    const plan = await planMaterialization(test.db, { featureSet: sets.embedding, mode: 'full', partitions: 6 });
    const slow = { afterBatch: () => new Promise<void>((resolve) => setTimeout(resolve, 20)) };
    const [a, b] = await Promise.all([
      workOnPartitions(deps, { worker: 'worker-a', runId: plan.runId, settings: { ...FAST_SETTINGS, batchSize: 10 }, hooks: slow }),
      workOnPartitions(deps, { worker: 'worker-b', runId: plan.runId, settings: { ...FAST_SETTINGS, batchSize: 10 }, hooks: slow }),
    ]);
    expect(a.partitions).toBeGreaterThan(0);
    expect(b.partitions).toBeGreaterThan(0);
    expect(a.partitions + b.partitions).toBe(6);
    expect(a.entities + b.entities).toBe(N);
    const partitions = await test.db.sql.query<{ worker: string; attempts: number; status: string }>('SELECT worker, attempts, status::text AS status FROM materialization_partition WHERE run_id = $1', [plan.runId]);
    expect(new Set(partitions.map((p) => p.worker))).toEqual(new Set(['worker-a', 'worker-b']));
    expect(partitions.every((p) => p.attempts === 1 && p.status === 'succeeded')).toBe(true);
    expect(await countRows(test.db, plan.version.id)).toEqual({ rows: N, keys: N });
    expect((await getRunProgress(test.db, plan.runId))).toMatchObject({ status: 'succeeded', rowsDone: N, versionStatus: 'published', workers: ['worker-a', 'worker-b'] });
  });

  it('incremental runs recompute only entities whose inputs changed and copy the rest', async () => {
    const base = await runMaterialization(deps, { featureSet: sets.raw, mode: 'full', partitions: 3 }, { worker: 'w1', settings: FAST_SETTINGS });
    const changed = [itemKey(3), itemKey(150), itemKey(299)];
    await upsertEntities(test.db.sql, 'item', [
      { externalId: itemKey(3), metadata: itemMetadata(3, 33) },
      { externalId: itemKey(150), metadata: itemMetadata(150, 1_500) },
      { externalId: itemKey(299), metadata: itemMetadata(299, 2_990) },
      { externalId: itemKey(N), metadata: itemMetadata(N) },
    ]);
    // A vector update is no input of a raw set.
    await upsertEmbeddings(test.db.sql, { id: sets.modalityId, entityType: 'item' }, [{ externalId: itemKey(10), vector: imageVector(10, 5) }]);
    const computed: string[] = [];
    const incremental = await runMaterialization(deps, { featureSet: sets.raw, mode: 'incremental', partitions: 3 }, {
      worker: 'w1', settings: FAST_SETTINGS, hooks: { afterBatch: (info) => void computed.push(...info.computedKeys) },
    });
    expect(incremental.plan).toMatchObject({ mode: 'incremental', baseVersion: base.plan.version.version });
    expect(incremental.run).toMatchObject({ status: 'succeeded', rowsDone: N + 1, rowsTotal: N + 1 });
    expect(computed.sort()).toEqual([...changed, itemKey(N)].sort());
    expect(incremental.work).toMatchObject({ computed: 4, copied: N - 3 });
    expect(await countRows(test.db, incremental.plan.version.id)).toEqual({ rows: N + 1, keys: N + 1 });
    const read = await getOnlineFeatures(test.db, { featureSet: sets.raw, version: 'latest', entityKeys: [itemKey(150), itemKey(151), itemKey(N)] });
    expect(read.rows.map((row) => row.values)).toEqual([{ price: 1_500, category: 'c0' }, { price: 151, category: 'c1' }, { price: N, category: `c${N % 5}` }]);
    // Copied rows keep their validity time; nothing else of the base version changed.
    const [same] = await test.db.sql.query<{ differing: number }>(
      `SELECT count(*)::int AS differing
         FROM ${layoutRowsSql(await readVersionRowLayout(test.db.sql, base.plan.version.id))} a
         JOIN ${layoutRowsSql(await readVersionRowLayout(test.db.sql, incremental.plan.version.id))} b ON a.entity_key = b.entity_key
        WHERE a."values" <> b."values" OR a.valid_from <> b.valid_from`,
    );
    expect(same!.differing).toBe(3);

    // The embedding set: only the vector that changed is recomputed (metadata is no input of it).
    const embeddingBase = await runMaterialization(deps, { featureSet: sets.embedding, mode: 'full', partitions: 2 }, { worker: 'w1', settings: FAST_SETTINGS });
    await upsertEmbeddings(test.db.sql, { id: sets.modalityId, entityType: 'item' }, [{ externalId: itemKey(20), vector: imageVector(20, 9) }]);
    await upsertEntities(test.db.sql, 'item', [{ externalId: itemKey(21), metadata: itemMetadata(21, 2_100) }]);
    const vectorKeys: string[] = [];
    const embeddingRun = await runMaterialization(deps, { featureSet: sets.embedding, mode: 'incremental', partitions: 2 }, {
      worker: 'w1', settings: FAST_SETTINGS, hooks: { afterBatch: (info) => void vectorKeys.push(...info.computedKeys) },
    });
    expect(embeddingRun.plan.baseVersion).toBe(embeddingBase.plan.version.version);
    // item N has no image vector: an embedding set gives it no row and does not look at it.
    expect(vectorKeys).toEqual([itemKey(20)]);
    expect(embeddingRun.run).toMatchObject({ rowsDone: N, rowsTotal: N });
    const vector = await getOnlineFeatures(test.db, { featureSet: sets.embedding, version: 'latest', entityKeys: [itemKey(20)] });
    expect(vector.rows[0]!.vector).toEqual(imageVector(20, 9));
  });

  it('an incremental request without a published version runs in full', async () => {
    const raw = 'mat_fresh';
    await registerFeatureSet(test.db, { name: raw, entityType: 'item', kind: 'raw', owner: 'o', source: { fields: ['price'] }, features: [{ name: 'price', type: 'numeric' }] });
    const plan = await planMaterialization(test.db, { featureSet: raw, mode: 'incremental' });
    expect(plan).toMatchObject({ mode: 'full', fullBecause: 'no published version to start from' });
  });

  it('a run whose partition keeps failing is failed, never published', async () => {
    const before = await resolveVersion(test.db, sets.raw, 'latest');
    const plan = await planMaterialization(test.db, { featureSet: sets.raw, mode: 'full', partitions: 3 });
    const settings = { ...FAST_SETTINGS, maxAttempts: 2 };
    const failing = { afterClaim: (info: { partition: number }) => { if (info.partition === 1) throw new Error('disk on fire'); } };
    await workOnPartitions(deps, { worker: 'w1', runId: plan.runId, settings, hooks: failing });
    const run = await getRunProgress(test.db, plan.runId);
    expect(run).toMatchObject({ status: 'failed', versionStatus: 'failed', partitions: { succeeded: 2, failed: 1 } });
    expect(run.error).toMatch(/1 of 3 partition\(s\) failed after 2 attempt\(s\): disk on fire/);
    expect((await getVersion(test.db, plan.version.id)).status).toBe('failed');
    expect((await resolveVersion(test.db, sets.raw, 'latest')).id).toBe(before.id);
  });

  it('a partition whose lease expired is taken over; the old holder can no longer write', async () => {
    const plan = await planMaterialization(test.db, { featureSet: sets.embedding, mode: 'full', partitions: 2 });
    const dead = await claimPartition(test.db.sql, { worker: 'dead', runId: plan.runId, leaseSeconds: 30, maxAttempts: 3 });
    expect(dead).toMatchObject({ partition: 0, attempt: 1 });
    // Renewed leases are not taken over...
    const live = await workOnPartitions(deps, { worker: 'w2', runId: plan.runId, settings: FAST_SETTINGS });
    expect(live.partitions).toBe(1);
    expect((await getRunProgress(test.db, plan.runId)).status).toBe('running');
    // ...expired ones are (the claimer's lease setting decides).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const taken = await workOnPartitions(deps, { worker: 'w2', runId: plan.runId, settings: { ...FAST_SETTINGS, leaseSeconds: 0.2 } });
    expect(taken.partitions).toBe(1);
    const [partition] = await test.db.sql.query<{ attempts: number; worker: string }>('SELECT attempts, worker FROM materialization_partition WHERE run_id = $1 AND partition = 0', [plan.runId]);
    expect(partition).toEqual({ attempts: 2, worker: 'w2' });
    expect(await countPartitionRows(test.db.sql, dead!, 1)).toBe(false);
    expect(await finalizeRuns(test.db, FAST_SETTINGS, plan.runId)).toEqual([]);
    expect(await getRunProgress(test.db, plan.runId)).toMatchObject({ status: 'succeeded', rowsDone: N, rowsTotal: N });
    expect(await countRows(test.db, plan.version.id)).toEqual({ rows: await imageCount(), keys: await imageCount() });
  });

  async function imageCount(): Promise<number> {
    const [row] = await test.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM embedding WHERE modality_id = $1', [sets.modalityId]);
    return row!.n;
  }
});
