/**
 * Plans a run: decides full or incremental, opens the pending version, creates the run and its
 * partitions, and records lineage (model version -> run -> version; for an incremental run the
 * base version -> run as well, which is also how workers find the base). An incremental run
 * makes a delta version on a row base unless its delta would be too large (chooseRowBase.ts).
 */
import type { Database } from '../../store/db/Database.ts';
import { FeatureSetVersionNotFoundError } from '../../store/featureSets/errors.ts';
import { sameSchema } from '../../store/featureSets/FeatureSetDefinition.ts';
import { getFeatureSet, nextVersionSchema, type StoredFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { createPendingVersion, failVersion, getVersion, resolveVersion, type FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import { addLineageEdge } from '../../store/registry/lineage.ts';
import { createMaterializationRun } from '../../store/sql/createMaterializationRun.ts';
import { ENTITY_TABLE } from '../../store/sql/entityTables.ts';
import { MaterializeError } from '../errors.ts';
import { chooseRowBase } from './chooseRowBase.ts';
import type { MaterializeMode, MaterializeRequest } from '../interfaces.ts';

export interface PlannedRun {
  readonly runId: number;
  readonly featureSet: string;
  readonly version: FeatureSetVersionInfo;
  /** What will run: incremental only when a comparable published version exists. */
  readonly mode: MaterializeMode;
  /** Why an incremental request runs in full. */
  readonly fullBecause?: string;
  readonly baseVersion?: number;
  /** Incremental runs that make a delta version: the version number of its row base (chooseRowBase.ts). */
  readonly rowBaseVersion?: number;
  /** Why an incremental run copies into a full version instead of making a delta. */
  readonly copiedInFullBecause?: string;
  readonly partitions: number;
  readonly rowsTotal: number;
}

export const MAX_PARTITIONS = 256;

export async function planMaterialization(db: Database, request: MaterializeRequest): Promise<PlannedRun> {
  const featureSet = await getFeatureSet(db, request.featureSet);
  const modelVersionId = await modelVersionFor(db, featureSet, request.modelVersion);
  let mode: MaterializeMode = request.mode;
  let fullBecause: string | undefined;
  let base: FeatureSetVersionInfo | undefined;
  if (mode === 'incremental') {
    base = await resolveVersion(db, featureSet.id, 'latest').catch((error: unknown) => {
      if (error instanceof FeatureSetVersionNotFoundError) return undefined;
      throw error;
    });
    if (!base) fullBecause = 'no published version to start from';
    else if (!sameSchema(base.schema, nextVersionSchema(featureSet))) fullBecause = `the schema changed since version ${base.version}`;
    else if (base.modelVersionId !== modelVersionId) fullBecause = `version ${base.version} was made by another model version`;
    if (fullBecause) {
      mode = 'full';
      base = undefined;
    }
  }
  const partitions = request.partitions ?? (await defaultPartitions(db, featureSet));
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new MaterializeError('BAD_USER_INPUT', `partitions: expected an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`);
  }
  const layout = base ? await chooseRowBase(db, base, featureSet.entityType) : null;
  const rowBaseVersionId = layout?.kind === 'delta' ? layout.rowBaseVersionId : undefined;
  const version = await createPendingVersion(db, featureSet, {
    ...(modelVersionId === null ? {} : { modelVersionId }),
    ...(rowBaseVersionId === undefined ? {} : { rowBaseVersionId }),
  });
  let run: { id: number; rowsTotal: number };
  try {
    run = await createMaterializationRun(db.sql, { featureSetVersionId: version.id, modelVersionId, mode, entityType: featureSet.entityType, partitions, requiredModality: featureSet.kind === 'embedding' ? featureSet.source.modality : null });
  } catch (error) {
    await failVersion(db, version.id).catch(() => undefined);
    throw error;
  }
  if (base) await addLineageEdge(db, { kind: 'feature_set_version', id: base.id }, { kind: 'materialization_run', id: run.id });
  if (modelVersionId !== null) await addLineageEdge(db, { kind: 'model_version', id: modelVersionId }, { kind: 'materialization_run', id: run.id });
  await addLineageEdge(db, { kind: 'materialization_run', id: run.id }, { kind: 'feature_set_version', id: version.id });
  return {
    runId: run.id,
    featureSet: featureSet.name,
    version,
    mode,
    ...(fullBecause ? { fullBecause } : {}),
    ...(base ? { baseVersion: base.version } : {}),
    ...(rowBaseVersionId === undefined ? {} : { rowBaseVersion: (await getVersion(db, rowBaseVersionId)).version }),
    ...(layout?.kind === 'full' ? { copiedInFullBecause: layout.because } : {}),
    partitions,
    rowsTotal: run.rowsTotal,
  };
}

/** Synthesized sets: the requested version of the source model, else its pinned one, else the latest. */
async function modelVersionFor(db: Database, featureSet: StoredFeatureSet, requested: number | undefined): Promise<number | null> {
  if (featureSet.kind !== 'synthesized') {
    if (requested !== undefined) throw new MaterializeError('BAD_USER_INPUT', `feature set "${featureSet.name}" is ${featureSet.kind}: --model applies to synthesized sets only`);
    return null;
  }
  const { model, modelVersion } = featureSet.source;
  const version = requested ?? modelVersion;
  const found = await db.prisma.modelVersion.findFirst({
    where: { name: model, ...(version === undefined ? {} : { version }) },
    orderBy: { version: 'desc' },
    select: { id: true },
  });
  if (!found) throw new MaterializeError('NOT_FOUND', `no model "${model}"${version === undefined ? '' : ` version ${version}`} in the store: train it first (synthstore train)`);
  return found.id;
}

async function defaultPartitions(db: Database, featureSet: StoredFeatureSet): Promise<number> {
  const [row] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ENTITY_TABLE[featureSet.entityType]}`);
  return Math.max(1, Math.min(32, Math.ceil((row?.n ?? 0) / 2_500)));
}
