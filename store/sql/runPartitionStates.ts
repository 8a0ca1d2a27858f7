import type { SqlClient } from '../db/Database.ts';

export interface RunPartitionStates {
  readonly runId: number;
  readonly featureSetVersionId: number;
  readonly runStatus: string;
  readonly partitions: number;
  readonly succeeded: number;
  /** Partitions that will not be tried again: failed or lease-expired with no attempts left. */
  readonly exhausted: number;
  readonly lastError: string | null;
}

/**
 * The unfinished runs (queued or running) and how their partitions stand, for the finalizer;
 * one run when `runId` is given.
 */
export async function runPartitionStates(sql: SqlClient, options: { readonly runId?: number; readonly leaseSeconds: number; readonly maxAttempts: number }): Promise<RunPartitionStates[]> {
  const rows = await sql.query<{ id: number; feature_set_version_id: number; status: string; partitions: number; succeeded: number; exhausted: number; last_error: string | null }>(
    `SELECT r.id, r.feature_set_version_id, r.status::text AS status,
            count(p.*)::int AS partitions,
            count(*) FILTER (WHERE p.status = 'succeeded')::int AS succeeded,
            count(*) FILTER (WHERE p.attempts >= $3 AND (p.status = 'failed'
                              OR (p.status = 'running' AND p.updated_at < now() - make_interval(secs => $2::double precision))))::int AS exhausted,
            (array_agg(p.error ORDER BY p.updated_at DESC) FILTER (WHERE p.error IS NOT NULL))[1] AS last_error
       FROM materialization_run r
       LEFT JOIN materialization_partition p ON p.run_id = r.id
      WHERE r.status IN ('queued', 'running') AND ($1::int IS NULL OR r.id = $1)
      GROUP BY r.id
      ORDER BY r.id`,
    [options.runId ?? null, options.leaseSeconds, options.maxAttempts],
  );
  return rows.map((row) => ({
    runId: row.id,
    featureSetVersionId: row.feature_set_version_id,
    runStatus: row.status,
    partitions: row.partitions,
    succeeded: row.succeeded,
    exhausted: row.exhausted,
    lastError: row.last_error,
  }));
}
