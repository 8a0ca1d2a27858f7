/**
 * Ends runs whose partitions are all settled: publishes the version (one transaction, see
 * publishVersion) when every partition succeeded, fails run and version when a partition ran out
 * of attempts. Safe to call from every worker at once: a version published or failed by another
 * finalizer is recognized, and a run's status changes only from queued/running.
 *
 * A run succeeds when its version is published, before its HNSW indexes exist: the finalizer that
 * published then builds them (store/featureSets/versionIndexes.ts), and returns when they are
 * ready. Searches of the version scan exactly until then.
 */
import type { Database } from '../../store/db/Database.ts';
import { VersionStateError } from '../../store/featureSets/errors.ts';
import { maintainVectorIndexes } from '../../store/featureSets/versionIndexes.ts';
import { failVersion, getVersion, publishVersion } from '../../store/featureSets/versions.ts';
import { runPartitionStates } from '../../store/sql/runPartitionStates.ts';
import type { MaterializeSettings } from '../interfaces.ts';

export interface FinalizedRun {
  readonly runId: number;
  readonly status: 'succeeded' | 'failed';
  readonly error?: string;
}

export async function finalizeRuns(db: Database, settings: MaterializeSettings, runId?: number): Promise<FinalizedRun[]> {
  const states = await runPartitionStates(db.sql, { ...(runId === undefined ? {} : { runId }), leaseSeconds: settings.leaseSeconds, maxAttempts: settings.maxAttempts });
  const finalized: FinalizedRun[] = [];
  for (const state of states) {
    if (state.exhausted > 0) {
      const error = `${state.exhausted} of ${state.partitions} partition(s) failed after ${settings.maxAttempts} attempt(s)${state.lastError ? `: ${state.lastError}` : ''}`;
      finalized.push(await failRun(db, state.runId, state.featureSetVersionId, error));
    } else if (state.partitions > 0 && state.succeeded === state.partitions) {
      finalized.push(await publishRun(db, state.runId, state.featureSetVersionId));
    }
  }
  return finalized;
}

async function publishRun(db: Database, runId: number, versionId: number): Promise<FinalizedRun> {
  let published: { featureSetId: number } | null = null;
  try {
    published = await publishVersion(db, versionId, { indexes: 'later' });
  } catch (error) {
    if (!(error instanceof VersionStateError)) throw error;
    // Another finalizer may have published it a moment ago (and indexes it); anything else (an empty version) fails the run.
    const version = await getVersion(db, versionId);
    if (version.status !== 'published') return failRun(db, runId, versionId, error.message);
  }
  await db.sql.query(`UPDATE materialization_run SET status = 'succeeded', finished_at = now(), error = NULL WHERE id = $1 AND status IN ('queued', 'running')`, [runId]);
  if (published) await maintainVectorIndexes(db, published.featureSetId, { wait: true });
  return { runId, status: 'succeeded' };
}

async function failRun(db: Database, runId: number, versionId: number, error: string): Promise<FinalizedRun> {
  await db.sql.query(`UPDATE materialization_run SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND status IN ('queued', 'running')`, [runId, error]);
  try {
    await failVersion(db, versionId);
  } catch (cause) {
    if (!(cause instanceof VersionStateError)) throw cause;
  }
  return { runId, status: 'failed', error };
}
