/**
 * The worker: one loop that, in turn,
 * 1. ticks the schedules (enqueueDueSchedules) every `scheduleEveryMs`, and on the same tick
 *    builds the HNSW indexes a published version still lacks (its publisher died while building
 *    them: maintainVectorIndexes), skipping any another process is building;
 * 2. takes one job from each pg-boss queue (plan a materialization, train a model) and runs it;
 * 3. claims and processes partitions of every unfinished run until none is claimable
 *    (workOnPartitions), so that all workers share each run;
 * 4. finalizes settled runs (publish, or fail), also those whose last worker died;
 * and sleeps `pollMs` when there was nothing to do. Any number of workers may run against one
 * server database, on any machines; on the embedded store they run in the process that owns the
 * data directory. Aborting `signal` stops after the partition or job in hand.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { maintainVectorIndexes } from '../store/featureSets/versionIndexes.ts';
import { runPartitionStates } from '../store/sql/runPartitionStates.ts';
import type { JobDependencies, MaterializeHooks, MaterializeSettings } from './interfaces.ts';
import { finalizeRuns } from './materialize/finalizeRuns.ts';
import { workOnPartitions } from './materialize/workOnPartitions.ts';
import { QUEUES, type QueueName } from './queue/openJobQueue.ts';
import { enqueueDueSchedules } from './schedules/enqueueDueSchedules.ts';
import { runMaterializeTask } from './tasks/materializeTask.ts';
import { runTrainTask } from './tasks/trainTask.ts';

export interface WorkerOptions {
  /** Default: host:pid:random, unique per process. */
  readonly id?: string;
  readonly settings: MaterializeSettings;
  /** Sleep when idle; default 1,000 ms. */
  readonly pollMs?: number;
  /** Schedule ticks; default every 10 s. False: this worker does not tick schedules. */
  readonly scheduleEveryMs?: number | false;
  /** Return once there is no job, no claimable partition and no unfinished run (tests, cron-style use). */
  readonly exitWhenIdle?: boolean;
  readonly hooks?: MaterializeHooks;
  readonly signal?: AbortSignal;
}

export interface WorkerSummary {
  readonly id: string;
  readonly jobs: number;
  readonly partitions: number;
  readonly entities: number;
}

type JobHandler = (deps: JobDependencies, data: unknown) => Promise<unknown>;
const HANDLERS: Record<QueueName, JobHandler> = { [QUEUES.materialize]: runMaterializeTask, [QUEUES.train]: runTrainTask };

export function defaultWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
}

export async function runWorker(deps: JobDependencies, boss: PgBoss, options: WorkerOptions): Promise<WorkerSummary> {
  const id = options.id ?? defaultWorkerId();
  const { db, log } = deps;
  const pollMs = options.pollMs ?? 1_000;
  const scheduleEveryMs = options.scheduleEveryMs ?? 10_000;
  const summary = { id, jobs: 0, partitions: 0, entities: 0 };
  let lastTick = Number.NEGATIVE_INFINITY;
  log.info({ worker: id, leaseSeconds: options.settings.leaseSeconds }, 'worker started');
  while (!options.signal?.aborted) {
    let busy = false;
    if (scheduleEveryMs !== false && performance.now() - lastTick >= scheduleEveryMs) {
      lastTick = performance.now();
      for (const sent of await enqueueDueSchedules(db, boss)) log.info(sent, `schedule ${sent.schedule} enqueued a job`);
      const indexes = await maintainVectorIndexes(db, null, { wait: false });
      if (indexes.built.length > 0) log.info({ versions: indexes.built }, 'built the missing vector indexes of published versions');
    }
    for (const queue of Object.keys(HANDLERS) as QueueName[]) {
      const [job] = await boss.fetch<unknown>(queue, { batchSize: 1 });
      if (!job) continue;
      busy = true;
      summary.jobs++;
      try {
        const result = await HANDLERS[queue](deps, job.data);
        await boss.complete(queue, job.id, toJson(result));
      } catch (error) {
        log.error({ queue, job: job.id, err: error }, 'job failed');
        await boss.fail(queue, job.id, { message: (error as Error).message ?? String(error) });
      }
    }
    const work = await workOnPartitions(deps, { worker: id, settings: options.settings, ...(options.hooks ? { hooks: options.hooks } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    summary.partitions += work.partitions;
    summary.entities += work.entities;
    busy ||= work.partitions > 0;
    for (const finalized of await finalizeRuns(db, options.settings)) {
      busy = true;
      log.info(finalized, `run ${finalized.runId} ${finalized.status}`);
    }
    if (busy) continue;
    if (options.exitWhenIdle) {
      const unfinished = await runPartitionStates(db.sql, { leaseSeconds: options.settings.leaseSeconds, maxAttempts: options.settings.maxAttempts });
      if (unfinished.length === 0) break;
    }
    await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
  log.info(summary, 'worker stopped');
  return summary;
}

/** Job results are stored as JSON by pg-boss: keep them small and plain. */
function toJson(result: unknown): object | null {
  if (result === undefined || result === null) return null;
  const plain = JSON.parse(JSON.stringify(result)) as unknown;
  return typeof plain === 'object' && plain !== null ? (plain as object) : { value: plain };
}
