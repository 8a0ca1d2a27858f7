/**
 * The life of a feature set version:
 *
 *   pending --publishVersion--> published --deprecateVersion--> deprecated
 *      \--failVersion--> failed
 *
 * - pending: materialization writes rows (writeFeatureValues); readers never see it.
 * - published: immutable, readable by number, and "latest" while it is the highest published.
 * - deprecated: still readable by number (and by point-in-time reads), never "latest".
 * - failed: abandoned; never readable.
 * A published vector version gets its HNSW indexes after the publish (versionIndexes.ts).
 * Each version keeps the schema (features + source) that its feature set had when it was created.
 */
import type { Database, SqlClient } from '../db/Database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { addLineageEdge } from '../registry/lineage.ts';
import { dropFeatureVectorIndex, hasFeatureVectorIndexes } from '../sql/featureVectorIndex.ts';
import { MAX_INDEXED_DIMENSION } from '../sql/modalities.ts';
import { readStoredKeys, readVectorDelta } from '../sql/readVectorDelta.ts';
import type { EntityType } from '../ingest/records.ts';
import { writeFeatureValues as writeFeatureValueRows, type FeatureValueRow } from '../sql/writeFeatureValues.ts';
import { checkFeatureValues } from './checkFeatureValues.ts';
import { FeatureSetVersionNotFoundError, FeatureSetInputError, VersionStateError } from './errors.ts';
import { vectorFeature, type FeatureSetKind, type VersionSchema } from './FeatureSetDefinition.ts';
import { getFeatureSet, type StoredFeatureSet } from './featureSetRegistry.ts';
import { computeVersionStatistics, type PreviousVersion, type VersionStatistics } from './statistics.ts';
import { indexMetrics, maintainVectorIndexes } from './versionIndexes.ts';

export type VersionStatus = 'pending' | 'published' | 'deprecated' | 'failed';

export interface FeatureSetVersionInfo {
  readonly id: number;
  readonly featureSetId: number;
  readonly featureSetName: string;
  readonly kind: FeatureSetKind;
  readonly version: number;
  readonly status: VersionStatus;
  readonly schema: VersionSchema;
  /** Rows at publication (0 while pending). */
  readonly rowCount: number;
  readonly statistics: VersionStatistics | null;
  readonly modelVersionId: number | null;
  /** Published versions searched through an earlier version's HNSW indexes (see publishVersion); null: their own. */
  readonly annBaseVersionId: number | null;
  /**
   * Delta versions (made incrementally): the full version whose rows this one has for every
   * entity it stores no row of (store/sql/versionRows.ts); null: every row is its own.
   */
  readonly rowBaseVersionId: number | null;
  readonly createdAt: Date;
  readonly publishedAt: Date | null;
  readonly deprecatedAt: Date | null;
}

type FeatureSetRef = string | number | Pick<StoredFeatureSet, 'id'>;

/**
 * Opens the next version of a feature set, with the feature set's current schema. Numbers are
 * race-safe: the feature set row is locked while the next number is taken. A synthesized set's
 * version records the model version that produces it: `modelVersionId`, or the source's pinned
 * model version when absent; the model must be the source's model. Other kinds take no model.
 * `rowBaseVersionId` opens a delta version (store/sql/versionRows.ts): it has that version's rows
 * for every entity it is given none of. The base must be a readable full version of the set.
 */
export async function createPendingVersion(
  db: Database,
  featureSet: FeatureSetRef,
  options: { readonly modelVersionId?: number; readonly rowBaseVersionId?: number } = {},
): Promise<FeatureSetVersionInfo> {
  const stored = await getFeatureSet(db, typeof featureSet === 'object' ? featureSet.id : featureSet);
  const modelVersionId = await modelVersionFor(db, stored, options.modelVersionId);
  const id = await db.transaction(async (tx) => {
    await tx.query('SELECT id FROM feature_set WHERE id = $1 FOR UPDATE', [stored.id]);
    if (options.rowBaseVersionId !== undefined) await checkRowBase(tx, stored.id, options.rowBaseVersionId);
    const [created] = await tx.query<{ id: number }>(
      `INSERT INTO feature_set_version (feature_set_id, version, schema, model_version_id, row_base_version_id)
       SELECT fs.id,
              coalesce((SELECT max(version) FROM feature_set_version WHERE feature_set_id = fs.id), 0) + 1,
              jsonb_build_object('features', fs.features, 'source', fs.source),
              $2, $3
         FROM feature_set fs WHERE fs.id = $1
       RETURNING id`,
      [stored.id, modelVersionId, options.rowBaseVersionId ?? null],
    );
    return created!.id;
  });
  if (modelVersionId !== null) await addLineageEdge(db, { kind: 'model_version', id: modelVersionId }, { kind: 'feature_set_version', id });
  // A delta's rows for unchanged entities are its row base's: the base is upstream of it directly,
  // not only through the previous version's run (a delta over a delta skips that version).
  if (options.rowBaseVersionId !== undefined) await addLineageEdge(db, { kind: 'feature_set_version', id: options.rowBaseVersionId }, { kind: 'feature_set_version', id });
  return getVersion(db, id);
}

/** Chains stay one deep: a row base is a readable version of the same set and itself full. */
async function checkRowBase(tx: SqlClient, featureSetId: number, rowBaseVersionId: number): Promise<void> {
  const [base] = await tx.query<{ ok: boolean }>(
    `SELECT feature_set_id = $2 AND status IN ('published', 'deprecated') AND row_base_version_id IS NULL AS ok
       FROM feature_set_version WHERE id = $1 FOR SHARE`,
    [rowBaseVersionId, featureSetId],
  );
  if (!base?.ok) throw new VersionStateError(`version id ${rowBaseVersionId} cannot be a row base: it must be a readable full version of the same feature set`);
}

async function modelVersionFor(db: Database, featureSet: StoredFeatureSet, requested: number | undefined): Promise<number | null> {
  if (featureSet.kind !== 'synthesized') {
    if (requested !== undefined) throw new FeatureSetInputError(`feature set "${featureSet.name}" is ${featureSet.kind}: its versions come from no model`, []);
    return null;
  }
  const { model, modelVersion } = featureSet.source;
  const found = requested !== undefined
    ? await db.prisma.modelVersion.findUnique({ where: { id: requested }, select: { id: true, name: true, version: true } })
    : modelVersion !== undefined
      ? await db.prisma.modelVersion.findUnique({ where: { name_version: { name: model, version: modelVersion } }, select: { id: true, name: true, version: true } })
      : undefined;
  if (found === undefined) throw new FeatureSetInputError(`a version of synthesized feature set "${featureSet.name}" needs the model version that produces it (modelVersionId)`, []);
  if (found === null) throw new FeatureSetInputError(`no model version ${requested ?? `"${model}" v${modelVersion}`} in the store`, []);
  if (found.name !== model || (modelVersion !== undefined && found.version !== modelVersion)) {
    throw new FeatureSetInputError(
      `feature set "${featureSet.name}" is synthesized by "${model}"${modelVersion === undefined ? '' : ` v${modelVersion}`}, not by "${found.name}" v${found.version}`,
      [],
    );
  }
  return found.id;
}

/**
 * Writes rows into a pending version after checking them against its schema, in statements of
 * `batchSize` rows (each an upsert by entity key). Refuses (VersionStateError) when the version
 * is not pending, including when it was published while the write ran. Returns rows written.
 */
export async function writeFeatureValues(
  db: Pick<Database, 'sql'>,
  version: Pick<FeatureSetVersionInfo, 'id' | 'version' | 'featureSetName' | 'schema'>,
  rows: readonly FeatureValueRow[],
  options: { readonly batchSize?: number } = {},
): Promise<number> {
  checkFeatureValues(version.schema, rows);
  const batchSize = options.batchSize ?? 2_000;
  let written = 0;
  for (let start = 0; start === 0 || start < rows.length; start += batchSize) {
    const result = await writeFeatureValueRows(db.sql, version.id, rows.slice(start, start + batchSize));
    if (!result.pending) throw new VersionStateError(`version ${version.version} of feature set "${version.featureSetName}" is not pending: its rows cannot change`);
    written += result.written;
  }
  return written;
}

/**
 * Entities whose vector differs from the ANN base's, as a share of the version's rows, up to which
 * a version is searched through the base's HNSW indexes plus an exact scan of those entities
 * (an incremental run changes a few percent at most); beyond it, the version gets indexes of its
 * own. Each further incremental run adds its changes to the delta, so every 1/share-th run or so
 * rebuilds.
 */
export const MAX_ANN_DELTA_SHARE = 0.05;

/**
 * Publishes a pending version: one transaction locks the version row (writers wait, then see it
 * published and write nothing), computes the row count and statistics from exactly the rows
 * being published, records how its vectors are searched, and sets status and published_at.
 * published_at is clock_timestamp() at the end, as close to the commit as SQL allows, so that a
 * point-in-time read never dates a value earlier than it could be seen. Readers see the version
 * only once that transaction commits, complete.
 *
 * Vector versions are searched through HNSW indexes: an earlier version's plus an exact scan of
 * the entities whose vector differs, when at most MAX_ANN_DELTA_SHARE of them do (an incremental
 * run, or a full run that changed little; decided inside the publishing transaction after the row
 * lock, so it is exact), else indexes of their own. Those are built AFTER the publish
 * (versionIndexes.ts): the version is correct without them (searched exactly until they exist)
 * and building them is the slow part of a full run. `indexes: 'ready'` (the default) returns once
 * they are built and older versions' retired; `'later'` returns at once, and the caller runs
 * maintainVectorIndexes. An empty version is refused unless allowEmpty: it would shadow the
 * previous version for every entity.
 */
export async function publishVersion(
  db: Database,
  versionId: number,
  options: { readonly allowEmpty?: boolean; readonly indexes?: 'ready' | 'later' } = {},
): Promise<FeatureSetVersionInfo> {
  const delta = await db.transaction(async (tx) => {
    const head = await lockablePending(tx, versionId, true);
    const vector = vectorFeature(head.schema.features);
    const ann = vector ? await settleVectorSearch(tx, head, versionId) : OWN_INDEXES;
    const previous = head.kind === 'synthesized' ? await previousPublished(tx, head.featureSetId, head.version) : null;
    const statistics = await computeVersionStatistics(tx, { id: versionId, schema: head.schema, kind: head.kind }, previous);
    if (statistics.rowCount === 0 && !options.allowEmpty) {
      throw new VersionStateError(`version ${head.version} of feature set "${head.name}" has no rows: publishing it would hide every value (pass allowEmpty to publish anyway)`);
    }
    await tx.query(
      `UPDATE feature_set_version
          SET status = 'published', published_at = clock_timestamp(), row_count = $2, statistics = $3::jsonb,
              ann_base_version_id = $4, ann_delta_keys = $5::text[]
        WHERE id = $1`,
      [versionId, statistics.rowCount, JSON.stringify(statistics), ann.baseVersionId, ann.deltaKeys],
    );
    return head.rowBaseVersionId !== null;
  });
  // Fresh planner statistics for the new rows: without them (PGlite runs no autovacuum, a
  // server's comes a minute or more later) the planner takes a 100k-row version for a few
  // dozen rows and joins whole versions where an index scan with early stop is right.
  // Only the columns plans depend on (row estimates per version, key joins, point-in-time
  // ranges): sampling and sorting the jsonb and vector columns was two thirds of the time
  // (measured: 0.27 s against 0.09 s over 400k rows on PostgreSQL 15).
  // A delta version adds a few rows: the estimates of the versions plans read stand.
  if (!delta) await db.sql.exec('ANALYZE feature_value (version_id, entity_key, valid_from)');
  const version = await getVersion(db, versionId);
  if ((options.indexes ?? 'ready') === 'ready') await maintainVectorIndexes(db, version.featureSetId, { wait: true });
  return version;
}

/** How a version's vectors are searched: an ANN base's indexes plus the delta, or its own indexes (baseVersionId null). */
interface VectorSearchLayout {
  readonly baseVersionId: number | null;
  readonly deltaKeys: string[] | null;
}

const OWN_INDEXES: VectorSearchLayout = { baseVersionId: null, deltaKeys: null };

/**
 * Inside the publishing transaction, after the row lock: how the version's vectors will be
 * searched. Through the ANN base's indexes plus the delta when there is a base and the delta is
 * small enough; else through its own (built after the publish).
 */
async function settleVectorSearch(tx: SqlClient, head: PendingHead, versionId: number): Promise<VectorSearchLayout> {
  const vector = vectorFeature(head.schema.features)!;
  if (vector.dimension > MAX_INDEXED_DIMENSION) return OWN_INDEXES;
  if (head.rowBaseVersionId !== null) return deltaVectorSearch(tx, versionId, head.rowBaseVersionId);
  if (await hasFeatureVectorIndexes(tx, versionId, indexMetrics(head))) return OWN_INDEXES;
  const base = await annBaseCandidate(tx, head, versionId);
  if (base === null) return OWN_INDEXES;
  const delta = await readVectorDelta(tx, versionId, base);
  if (delta.rows === 0 || delta.keys.length > MAX_ANN_DELTA_SHARE * delta.rows) return OWN_INDEXES;
  return { baseVersionId: base, deltaKeys: delta.keys };
}

/**
 * A delta version has no indexes of its own (an index over its stored rows would miss its base's):
 * it is always searched through its row base's indexes, or the ones the row base is searched
 * through, plus an exact scan of the entities whose vector differs from that ANN base's. Only the
 * delta's own rows can differ from its row base, so this compares those alone; through the row
 * base's ANN base, the row base's own differing keys count too unless the delta replaces them.
 * However large, the delta is not refused: compaction (jobs/materialize/chooseRowBase.ts) bounds it.
 */
async function deltaVectorSearch(tx: SqlClient, versionId: number, rowBaseVersionId: number): Promise<VectorSearchLayout> {
  const [rowBase] = await tx.query<{ ann_base: number | null; ann_delta: string[] | null }>(
    'SELECT ann_base_version_id AS ann_base, ann_delta_keys AS ann_delta FROM feature_set_version WHERE id = $1',
    [rowBaseVersionId],
  );
  const annBase = rowBase?.ann_base ?? rowBaseVersionId;
  const changed = await readVectorDelta(tx, versionId, annBase);
  if (annBase === rowBaseVersionId) return { baseVersionId: annBase, deltaKeys: changed.keys };
  const replaced = new Set(await readStoredKeys(tx, versionId));
  const inherited = (rowBase?.ann_delta ?? []).filter((key) => !replaced.has(key));
  return { baseVersionId: annBase, deltaKeys: [...new Set([...changed.keys, ...inherited])].sort() };
}

/**
 * The version whose HNSW indexes could serve this one: the latest published version before it,
 * from the same model version and with the same vector dimension, or that version's own ANN
 * base. Its indexes may still be building (they are built after its publish): the latest
 * version's root is always among the kept versions, so maintainVectorIndexes builds them, and
 * until then the base part of a search scans exactly.
 */
async function annBaseCandidate(sql: SqlClient, head: PendingHead, versionId: number): Promise<number | null> {
  const [row] = await sql.query<{ id: number; base: number | null; schema: unknown; same_model: boolean }>(
    `SELECT p.id, p.ann_base_version_id AS base, p.schema, p.model_version_id IS NOT DISTINCT FROM v.model_version_id AS same_model
       FROM feature_set_version v
       JOIN feature_set_version p ON p.feature_set_id = v.feature_set_id AND p.version < v.version AND p.status = 'published'
      WHERE v.id = $1
      ORDER BY p.version DESC
      LIMIT 1`,
    [versionId],
  );
  if (!row || !row.same_model) return null;
  const previousVector = vectorFeature((parseJson(row.schema) as VersionSchema).features);
  if (!previousVector || previousVector.dimension !== vectorFeature(head.schema.features)?.dimension) return null;
  return row.base ?? row.id;
}

interface PendingHead {
  readonly featureSetId: number;
  readonly name: string;
  readonly kind: FeatureSetKind;
  readonly entityType: EntityType;
  readonly version: number;
  readonly schema: VersionSchema;
  readonly rowBaseVersionId: number | null;
}

async function lockablePending(tx: SqlClient, versionId: number, lock: boolean): Promise<PendingHead> {
  const [row] = await tx.query<{ feature_set_id: number; name: string; kind: FeatureSetKind; entity_type: EntityType; version: number; status: VersionStatus; schema: unknown; row_base: number | null }>(
    `SELECT v.feature_set_id, fs.name, fs.kind::text AS kind, fs.entity_type::text AS entity_type, v.version, v.status::text AS status, v.schema,
            v.row_base_version_id AS row_base
       FROM feature_set_version v JOIN feature_set fs ON fs.id = v.feature_set_id
      WHERE v.id = $1${lock ? ' FOR UPDATE OF v' : ''}`,
    [versionId],
  );
  if (!row) throw new FeatureSetVersionNotFoundError(`no feature set version with id ${versionId}`);
  if (row.status !== 'pending') throw new VersionStateError(`version ${row.version} of feature set "${row.name}" is ${row.status}, not pending: it cannot be published`);
  return {
    featureSetId: row.feature_set_id, name: row.name, kind: row.kind, entityType: row.entity_type, version: row.version,
    schema: parseJson(row.schema) as VersionSchema, rowBaseVersionId: row.row_base,
  };
}

async function previousPublished(tx: SqlClient, featureSetId: number, version: number): Promise<PreviousVersion | null> {
  const [row] = await tx.query<{ id: number; version: number; schema: unknown; statistics: unknown }>(
    `SELECT id, version, schema, statistics FROM feature_set_version
      WHERE feature_set_id = $1 AND status = 'published' AND version < $2
      ORDER BY version DESC LIMIT 1`,
    [featureSetId, version],
  );
  if (!row) return null;
  return { id: row.id, version: row.version, schema: parseJson(row.schema) as VersionSchema, statistics: (parseJson(row.statistics) ?? null) as VersionStatistics | null };
}

/** Marks a pending version failed (e.g. its materialization gave up): it is never readable. */
export async function failVersion(db: Pick<Database, 'prisma' | 'sql'>, versionId: number): Promise<FeatureSetVersionInfo> {
  const failed = await transition(db, versionId, 'pending', { status: 'failed' }, 'failed');
  // Pending versions get no indexes now, but earlier releases built them before the publish: such
  // an index would otherwise stay, maintained and planned for, forever.
  await dropFeatureVectorIndex(db.sql, versionId);
  return failed;
}

/** Deprecates a published version: still readable by number, no longer "latest". */
export async function deprecateVersion(db: Pick<Database, 'prisma'>, versionId: number): Promise<FeatureSetVersionInfo> {
  return transition(db, versionId, 'published', { status: 'deprecated', deprecatedAt: new Date() }, 'deprecated');
}

async function transition(
  db: Pick<Database, 'prisma'>,
  versionId: number,
  from: VersionStatus,
  data: Prisma.FeatureSetVersionUpdateManyMutationInput,
  verb: string,
): Promise<FeatureSetVersionInfo> {
  // A conditional UPDATE: it waits for a writer's share lock on the row, then re-checks the status.
  const { count } = await db.prisma.featureSetVersion.updateMany({ where: { id: versionId, status: from }, data });
  const version = await getVersion(db, versionId);
  if (count === 0) throw new VersionStateError(`version ${version.version} of feature set "${version.featureSetName}" is ${version.status}, not ${from}: it cannot be ${verb}`);
  return version;
}

/** A version by id, whatever its status. */
export async function getVersion(db: Pick<Database, 'prisma'>, versionId: number): Promise<FeatureSetVersionInfo> {
  const found = await db.prisma.featureSetVersion.findUnique({ where: { id: versionId }, include: { featureSet: { select: { name: true, kind: true } } } });
  if (!found) throw new FeatureSetVersionNotFoundError(`no feature set version with id ${versionId}`);
  return toInfo(found);
}

/**
 * The readable version of a feature set: a number gives that version if it is published or
 * deprecated; 'latest' gives the highest published one (deprecated versions are never latest).
 */
export async function resolveVersion(db: Pick<Database, 'prisma'>, featureSet: string | number, version: 'latest' | number): Promise<FeatureSetVersionInfo> {
  const stored = await getFeatureSet(db, featureSet);
  const found = await db.prisma.featureSetVersion.findFirst({
    where: version === 'latest' ? { featureSetId: stored.id, status: 'published' } : { featureSetId: stored.id, version, status: { in: ['published', 'deprecated'] } },
    orderBy: { version: 'desc' },
    include: { featureSet: { select: { name: true, kind: true } } },
  });
  if (!found) {
    throw new FeatureSetVersionNotFoundError(
      version === 'latest' ? `feature set "${stored.name}" has no published version` : `feature set "${stored.name}" has no readable version ${version} (only published and deprecated versions are)`,
    );
  }
  return toInfo(found);
}

function toInfo(row: Prisma.FeatureSetVersionGetPayload<{ include: { featureSet: { select: { name: true; kind: true } } } }>): FeatureSetVersionInfo {
  return {
    id: row.id,
    featureSetId: row.featureSetId,
    featureSetName: row.featureSet.name,
    kind: row.featureSet.kind,
    version: row.version,
    status: row.status,
    schema: row.schema as unknown as VersionSchema,
    rowCount: row.rowCount,
    statistics: (row.statistics ?? null) as unknown as VersionStatistics | null,
    modelVersionId: row.modelVersionId,
    annBaseVersionId: row.annBaseVersionId,
    rowBaseVersionId: row.rowBaseVersionId,
    createdAt: row.createdAt,
    publishedAt: row.publishedAt,
    deprecatedAt: row.deprecatedAt,
  };
}

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}
