/**
 * A real worker process killed with SIGKILL in the middle of a run: no partial version is
 * published, and a second worker takes the dead worker's partition over when its lease expires
 * and completes the run with exactly one row per entity. Embedded: each worker owns the data
 * directory while it runs (the test opens it only between them); server: the test watches live.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMaterialization, type PlannedRun } from '../../jobs/materialize/planMaterialization.ts';
import { getRunProgress } from '../../jobs/materialize/runProgress.ts';
import type { Database } from '../../store/db/Database.ts';
import { openEmbeddedDatabase } from '../../store/db/openEmbeddedDatabase.ts';
import { openServerDatabase } from '../../store/db/openServerDatabase.ts';
import { resolveVersion } from '../../store/featureSets/versions.ts';
import { createCliDatabase } from '../support/testDatabase.ts';
import { countRows, seedItems } from '../support/materializeFixtures.ts';

const N = 400;
const CLI = fileURLToPath(new URL('../../cli/synthstore.ts', import.meta.url));

describe('a worker killed with SIGKILL mid-run', () => {
  let store: Awaited<ReturnType<typeof createCliDatabase>>;
  let plan: PlannedRun;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    store = await createCliDatabase();
    await withStore(async (db) => {
      const { raw } = await seedItems(db, N, 'kill');
      plan = await planMaterialization(db, { featureSet: raw, mode: 'full', partitions: 2 });
    });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await store?.dispose();
  });

  async function withStore<T>(work: (db: Database) => Promise<T>): Promise<T> {
    const db = store.env.DATABASE_URL ? await openServerDatabase(store.env.DATABASE_URL) : await openEmbeddedDatabase({ dataDir: store.args[1]! });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  function startWorker(extra: string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
    const { DATABASE_URL: _ignored, SYNTHSTORE_DB_DIR: _alsoIgnored, ...inherited } = process.env;
    const child = spawn(process.execPath, [CLI, ...store.args, 'worker', '--no-schedules', '--poll-ms', '100', '--lease-seconds', '2', '--batch-size', '25', ...extra], {
      env: { ...inherited, SYNTHSTORE_LOG_LEVEL: 'info', ...store.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, stderr: () => stderr, exited };
  }

  it('publishes nothing partial, and a second worker completes the run exactly', async () => {
    const first = startWorker(['--id', 'doomed', '--partition-delay-ms', '600000']);
    await waitUntil('the first worker to commit a batch and pause', () => first.stderr().includes('batch committed, pausing'), 45_000, first.stderr);
    first.child.kill('SIGKILL');
    await first.exited;

    await withStore(async (db) => {
      const partial = await countRows(db, plan.version.id);
      expect(partial.rows).toBeGreaterThan(0);
      expect(partial.rows).toBeLessThan(N);
      const run = await getRunProgress(db, plan.runId);
      expect(run).toMatchObject({ status: 'running', versionStatus: 'pending', workers: ['doomed'] });
      await expect(resolveVersion(db, plan.featureSet, 'latest')).rejects.toThrow(/has no published version/);
    });

    const second = startWorker(['--id', 'rescuer', '--exit-when-idle']);
    const code = await Promise.race([second.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000))]);
    expect(code, second.stderr()).toBe(0);

    await withStore(async (db) => {
      const run = await getRunProgress(db, plan.runId);
      expect(run).toMatchObject({ status: 'succeeded', versionStatus: 'published', rowsDone: N, rowsTotal: N, partitions: { total: 2, succeeded: 2 } });
      expect(await countRows(db, plan.version.id)).toEqual({ rows: N, keys: N });
      const partitions = await db.sql.query<{ partition: number; attempts: number; worker: string }>('SELECT partition, attempts, worker FROM materialization_partition WHERE run_id = $1 ORDER BY partition', [plan.runId]);
      // The dead worker's partition was tried twice and finished by the rescuer.
      expect(partitions[0]).toEqual({ partition: 0, attempts: 2, worker: 'rescuer' });
      expect((await resolveVersion(db, plan.featureSet, 'latest')).id).toBe(plan.version.id);
    });
  });
});

async function waitUntil(what: string, check: () => boolean, timeoutMs: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
