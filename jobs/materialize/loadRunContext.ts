import type { Database } from '../../store/db/Database.ts';
import { getFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { getVersion, type FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import type { EntityType } from '../../store/ingest/records.ts';
import type { MaterializeMode } from '../interfaces.ts';
import { MaterializeError } from '../errors.ts';

/** What every partition of a run needs to know, read once per worker and run. */
export interface RunContext {
  readonly runId: number;
  readonly mode: MaterializeMode;
  readonly partitions: number;
  readonly entityType: EntityType;
  readonly version: FeatureSetVersionInfo;
  /** Incremental runs: the published version rows are copied from, its row base (versionRows.ts), and when it was created. */
  readonly base: { readonly versionId: number; readonly rowBaseVersionId: number | null; readonly createdAt: Date } | null;
}

export async function loadRunContext(db: Database, runId: number): Promise<RunContext> {
  const run = await db.prisma.materializationRun.findUnique({ where: { id: runId }, include: { _count: { select: { partitions: true } } } });
  if (!run) throw new MaterializeError('NOT_FOUND', `no materialization run ${runId}`);
  const version = await getVersion(db, run.featureSetVersionId);
  const featureSet = await getFeatureSet(db, version.featureSetId);
  let base: RunContext['base'] = null;
  if (run.mode === 'incremental') {
    // The planner recorded the version it compares against as an upstream lineage edge of the run.
    const edge = await db.prisma.lineageEdge.findFirst({ where: { toKind: 'materialization_run', toId: runId, fromKind: 'feature_set_version' } });
    if (!edge) throw new MaterializeError('CONFLICT', `incremental run ${runId} has no base version in its lineage`);
    const baseVersion = await getVersion(db, edge.fromId);
    base = { versionId: baseVersion.id, rowBaseVersionId: baseVersion.rowBaseVersionId, createdAt: baseVersion.createdAt };
  }
  return { runId, mode: run.mode, partitions: run._count.partitions, entityType: featureSet.entityType, version, base };
}
