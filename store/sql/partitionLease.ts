/**
 * Statements a lease holder runs on its partition. Each is fenced by (worker, attempt): once
 * another worker took the partition over (this one's lease expired), they change nothing and
 * report false, and the caller rolls its transaction back.
 */
import type { SqlClient } from '../db/Database.ts';
import type { PartitionLease } from './claimPartition.ts';

const FENCE = 'run_id = $1 AND partition = $2 AND worker = $3 AND attempts = $4 AND status = \'running\'';

function fence(lease: PartitionLease): unknown[] {
  return [lease.runId, lease.partition, lease.worker, lease.attempt];
}

/** Renews the lease. */
export async function heartbeatPartition(sql: SqlClient, lease: PartitionLease): Promise<boolean> {
  const rows = await sql.query(`UPDATE materialization_partition SET updated_at = now() WHERE ${FENCE} RETURNING 1`, fence(lease));
  return rows.length > 0;
}

/**
 * Counts `entities` more on the partition (and renews the lease). Run inside the transaction that
 * writes their values, before the write: the partition row stays locked until commit.
 */
export async function countPartitionRows(sql: SqlClient, lease: PartitionLease, entities: number): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE materialization_partition SET rows = rows + $5, updated_at = now() WHERE ${FENCE} RETURNING 1`,
    [...fence(lease), entities],
  );
  return rows.length > 0;
}

/** Advances the run's progress; last in the batch transaction, so the run row is locked only briefly. */
export async function advanceRunProgress(sql: SqlClient, runId: number, entities: number): Promise<void> {
  await sql.query('UPDATE materialization_run SET rows_done = rows_done + $2 WHERE id = $1', [runId, entities]);
}

export async function completePartition(sql: SqlClient, lease: PartitionLease): Promise<boolean> {
  const rows = await sql.query(`UPDATE materialization_partition SET status = 'succeeded', updated_at = now() WHERE ${FENCE} RETURNING 1`, fence(lease));
  return rows.length > 0;
}

/** Records the error; the partition is claimable again while it has attempts left. */
export async function failPartition(sql: SqlClient, lease: PartitionLease, error: string): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE materialization_partition SET status = 'failed', error = $5, updated_at = now() WHERE ${FENCE} RETURNING 1`,
    [...fence(lease), error.slice(0, 4_000)],
  );
  return rows.length > 0;
}
