import type { SqlClient } from '../db/Database.ts';

/** A partition a worker holds: `attempt` is the fencing token of its lease. */
export interface PartitionLease {
  readonly runId: number;
  readonly partition: number;
  readonly attempt: number;
  readonly worker: string;
}

export interface ClaimOptions {
  readonly worker: string;
  /** Only this run's partitions; default: any unfinished run's. */
  readonly runId?: number;
  /** A running partition whose lease was not renewed for this long is taken over. */
  readonly leaseSeconds: number;
  /** Partitions that have been tried this often are left for the finalizer to fail. */
  readonly maxAttempts: number;
}

/**
 * Claims one partition in one statement: a queued one, a failed one with attempts left, or a
 * running one whose lease expired (its worker died); fresh partitions before retries. FOR UPDATE SKIP LOCKED lets concurrent
 * claimers pass each other without waiting or taking the same row. The claim resets the
 * partition's row count and takes the previous attempt's rows off the run's progress, so that a
 * retried partition is counted once.
 */
export async function claimPartition(sql: SqlClient, options: ClaimOptions): Promise<PartitionLease | null> {
  const [row] = await sql.query<{ run_id: number; partition: number; attempts: number }>(
    `WITH candidate AS (
       SELECT p.run_id, p.partition, p.rows
         FROM materialization_partition p
         JOIN materialization_run r ON r.id = p.run_id
        WHERE r.status IN ('queued', 'running')
          AND ($2::int IS NULL OR p.run_id = $2)
          AND p.attempts < $4
          AND (p.status IN ('queued', 'failed')
               OR (p.status = 'running' AND p.updated_at < now() - make_interval(secs => $3::double precision)))
        ORDER BY p.run_id, p.attempts, p.partition
        LIMIT 1
        FOR UPDATE OF p SKIP LOCKED
     ), claimed AS (
       UPDATE materialization_partition p
          SET status = 'running', worker = $1, attempts = p.attempts + 1, rows = 0, error = NULL, updated_at = now()
         FROM candidate c
        WHERE p.run_id = c.run_id AND p.partition = c.partition
       RETURNING p.run_id, p.partition, p.attempts, c.rows AS previous_rows
     ), run AS (
       UPDATE materialization_run r
          SET rows_done = r.rows_done - claimed.previous_rows, status = 'running', started_at = coalesce(r.started_at, now())
         FROM claimed
        WHERE r.id = claimed.run_id
       RETURNING r.id
     )
     SELECT run_id, partition, attempts FROM claimed`,
    [options.worker, options.runId ?? null, options.leaseSeconds, options.maxAttempts],
  );
  return row ? { runId: row.run_id, partition: row.partition, attempt: row.attempts, worker: options.worker } : null;
}
