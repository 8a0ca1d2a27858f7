/**
 * Public types of the jobs layer: materialization runs, the worker, schedules.
 *
 * Glossary:
 * - run: one materialization of a feature set into a new, pending feature set version
 *   (materialization_run). Published atomically when every partition succeeded; failed (with its
 *   version) when a partition ran out of attempts. Never published half-way.
 * - full / incremental: a full run computes every entity; an incremental run computes only the
 *   entities whose inputs (metadata, modality vectors) changed since the previous published
 *   version was created, or that it lacks, and copies the other rows over in SQL. It falls back to
 *   full when there is no previous version or its schema or model version differ.
 * - partition: the entities whose hashed external id falls in one of the run's P slices
 *   (materialization_partition). The unit of work and of retry: one worker holds it at a time.
 * - lease: a worker's hold on a partition: its id in `worker`, the attempt number as fencing
 *   token, renewed (`updated_at`) by every batch and a heartbeat. A partition whose lease was not
 *   renewed for `leaseSeconds` (its worker died) is claimed again; a write fenced by a lost lease
 *   is rolled back.
 * - progress: rows_done / rows_total of the run, in entities handled (computed or copied; an
 *   embedding set counts only entities with its modality vector), advanced in the transaction
 *   that writes them.
 * - job: a pg-boss job: "plan a materialization run" or "train a model". Schedules enqueue them.
 * - schedule: a row of the schedule table (the one source of truth): cron, time zone, task, args.
 */
import type pino from 'pino';
import type { BackendPreference } from '../config.ts';
import type { Database } from '../store/db/Database.ts';

export type MaterializeMode = 'full' | 'incremental';

/** What to materialize: the payload of a materialize job and of `synthstore materialize`. */
export interface MaterializeRequest {
  readonly featureSet: string;
  readonly mode: MaterializeMode;
  /** Synthesized sets: the version number of the source model; default: pinned, else latest. */
  readonly modelVersion?: number;
  /** Partition count; default: one per 2,500 entities, 1 to 32. */
  readonly partitions?: number;
}

/** How partitions are claimed, retried and written. All workers of a store should agree. */
export interface MaterializeSettings {
  readonly leaseSeconds: number;
  readonly maxAttempts: number;
  /** Entities per read, compute and write transaction. */
  readonly batchSize: number;
}

export const DEFAULT_MATERIALIZE_SETTINGS: MaterializeSettings = { leaseSeconds: 30, maxAttempts: 3, batchSize: 1_000 };

export interface BatchInfo {
  readonly runId: number;
  readonly partition: number;
  readonly worker: string;
  /** Entity keys whose values were computed (not copied) in this batch. */
  readonly computedKeys: readonly string[];
}

/** Test and instrumentation hooks; each is awaited, after the batch committed. */
export interface MaterializeHooks {
  afterBatch?(info: BatchInfo): void | Promise<void>;
  /** Called when a partition is claimed, before any work. */
  afterClaim?(info: { readonly runId: number; readonly partition: number; readonly attempt: number; readonly worker: string }): void | Promise<void>;
}

/** What jobs receive: the store, a logger and the tfjs backend preference (synthesized sets). */
export interface JobDependencies {
  readonly db: Database;
  readonly log: pino.Logger;
  readonly backend: BackendPreference;
}

export interface PartitionWork {
  readonly partitions: number;
  readonly entities: number;
  readonly computed: number;
  readonly copied: number;
}
