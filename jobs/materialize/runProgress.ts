import type { Database } from '../../store/db/Database.ts';
import { MaterializeError } from '../errors.ts';

export interface RunProgress {
  readonly runId: number;
  readonly featureSetVersionId: number;
  readonly featureSet: string;
  readonly version: number;
  readonly versionStatus: string;
  readonly mode: 'full' | 'incremental';
  readonly status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly rowsDone: number;
  readonly rowsTotal: number;
  readonly partitions: { readonly total: number; readonly succeeded: number; readonly running: number; readonly queued: number; readonly failed: number };
  /** Workers holding or having finished partitions. */
  readonly workers: readonly string[];
  readonly error: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** A run's progress (rows done / total, partitions by status), readable while it runs. */
export async function getRunProgress(db: Database, runId: number): Promise<RunProgress> {
  const [run] = await listRuns(db, { runId });
  if (!run) throw new MaterializeError('NOT_FOUND', `no materialization run ${runId}`);
  return run;
}

/** The latest runs, newest first, optionally of one feature set. */
export async function listRuns(db: Pick<Database, 'prisma'>, options: { readonly featureSet?: string; readonly runId?: number; readonly runIds?: readonly number[]; readonly limit?: number } = {}): Promise<RunProgress[]> {
  const runs = await db.prisma.materializationRun.findMany({
    where: {
      ...(options.runId === undefined ? {} : { id: options.runId }),
      ...(options.runIds === undefined ? {} : { id: { in: [...options.runIds] } }),
      ...(options.featureSet === undefined ? {} : { featureSetVersion: { featureSet: { name: options.featureSet } } }),
    },
    orderBy: { id: 'desc' },
    take: options.runIds ? options.runIds.length : (options.limit ?? 20),
    include: { featureSetVersion: { include: { featureSet: { select: { name: true } } } }, partitions: { select: { status: true, worker: true } } },
  });
  return runs.map((run) => {
    const count = (status: string) => run.partitions.filter((partition) => partition.status === status).length;
    return {
      runId: run.id,
      featureSetVersionId: run.featureSetVersionId,
      featureSet: run.featureSetVersion.featureSet.name,
      version: run.featureSetVersion.version,
      versionStatus: run.featureSetVersion.status,
      mode: run.mode,
      status: run.status,
      rowsDone: run.rowsDone,
      rowsTotal: run.rowsTotal,
      partitions: { total: run.partitions.length, succeeded: count('succeeded'), running: count('running'), queued: count('queued'), failed: count('failed') },
      workers: [...new Set(run.partitions.map((partition) => partition.worker).filter((worker): worker is string => worker !== null))].sort(),
      error: run.error,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    };
  });
}
