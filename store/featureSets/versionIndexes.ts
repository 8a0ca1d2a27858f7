/**
 * HNSW indexes of published feature set versions, built AFTER the version is published.
 *
 * A published version is complete and correct without its indexes: a nearest-neighbour search
 * that finds none scans the version exactly (tens of ms for 100k vectors where the index answers
 * in a few), and recommendations draw their candidates from the in-memory exact index once it
 * has loaded (ml/serving/RetrievalIndexes.ts). Building the graphs is most of a full
 * materialization's time (tens of seconds for 100k vectors), so a run publishes first and
 * indexes next: the version is readable as soon as its rows are, and fast to search a build
 * later. A build that never finishes (the process died) is repaired by the next
 * maintainVectorIndexes of the feature set, which every publish and every worker's schedule tick
 * run; meanwhile searches stay exact.
 */
import type { Database, SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { createFeatureVectorIndex, dropFeatureVectorIndex, hasFeatureVectorIndexes, hnswBuildMemoryKb, type VectorMetric } from '../sql/featureVectorIndex.ts';
import { MAX_INDEXED_DIMENSION } from '../sql/modalities.ts';
import { retirableVectorIndexVersions } from '../sql/retirableVectorIndexes.ts';
import { versionsKeepingIndexes } from '../sql/versionsKeepingIndexes.ts';
import { vectorFeature, type FeatureSetKind, type VersionSchema } from './FeatureSetDefinition.ts';

/**
 * Published versions of a feature set that keep their HNSW indexes: the latest and the one before
 * it ("serve v3 while v4 is validated", and a rollback by deprecating the latest), and the ANN
 * bases of both. Older versions' indexes would otherwise accumulate forever (two graphs per
 * synthesized item version, each holding a copy of the vectors and their neighbour lists): they
 * stay on disk, are planned for, and every insert into feature_value evaluates their partial-index
 * predicates.
 */
export const INDEXED_VERSIONS = 2;

/**
 * Every vector version is searchable by cosine (similar entities); synthesized item vectors also
 * by inner product, the retrieval head's score that recommendation candidates come from.
 */
export function indexMetrics(version: { readonly kind: FeatureSetKind; readonly entityType: EntityType }): VectorMetric[] {
  return version.kind === 'synthesized' && version.entityType === 'item' ? ['cosine', 'inner_product'] : ['cosine'];
}

/** What became of a version's indexes: built now, there already, none to build, or being built elsewhere. */
export type IndexBuildOutcome = 'built' | 'ready' | 'none' | 'busy';

export interface IndexMaintenance {
  /** Versions whose indexes this call built. */
  readonly built: readonly number[];
  /** Versions whose build another process (or task) holds: they are not indexed yet. */
  readonly busy: readonly number[];
  /** Versions whose indexes were dropped (no longer among the kept ones). */
  readonly retired: readonly number[];
}

/**
 * Brings a feature set's indexes (or every feature set's, `featureSetId` null) to what searches
 * need: builds the missing indexes of the kept versions that have their own (newest first), then
 * drops the indexes of versions no longer kept. `wait`: wait for a build another process holds
 * (the publisher, which reports when its version is fast to search) rather than skip it (a
 * worker's periodic repair). A failed drop is left to the next call: it must not fail the
 * publish that triggered it.
 */
export async function maintainVectorIndexes(db: Database, featureSetId: number | null, options: { readonly wait: boolean }): Promise<IndexMaintenance> {
  const built: number[] = [];
  const busy: number[] = [];
  for (const versionId of await versionsKeepingIndexes(db.sql, featureSetId, INDEXED_VERSIONS)) {
    const outcome = await buildVersionIndexes(db, versionId, options);
    if (outcome === 'built') built.push(versionId);
    if (outcome === 'busy') busy.push(versionId);
  }
  const retired = await retireVectorIndexes(db, featureSetId).catch(() => []);
  return { built, busy, retired };
}

/**
 * Builds a readable version's own HNSW indexes (one per metric) unless it has them, has no
 * vectors an index can hold, or is searched through an ANN base. One build per version at a time:
 * a session advisory lock across processes (released if the builder dies) and, because every
 * caller in a PGlite process shares one session (whose advisory locks are re-entrant), a map of
 * the builds in flight in this process. A delta version never has indexes of its own: a partial
 * index over its stored rows would miss the ones it has through its row base.
 */
export async function buildVersionIndexes(db: Database, versionId: number, options: { readonly wait: boolean }): Promise<IndexBuildOutcome> {
  const key = `${db.location}\u0000${versionId}`;
  for (let inFlight = BUILDS_IN_FLIGHT.get(key); inFlight; inFlight = BUILDS_IN_FLIGHT.get(key)) {
    if (!options.wait) return 'busy';
    await inFlight.catch(() => undefined);
  }
  const build = db.withSession((session) => buildLocked(session, versionId, options.wait));
  BUILDS_IN_FLIGHT.set(key, build);
  try {
    return await build;
  } finally {
    BUILDS_IN_FLIGHT.delete(key);
  }
}

const BUILDS_IN_FLIGHT = new Map<string, Promise<IndexBuildOutcome>>();

/** First key of the session advisory locks held while a version's indexes are built (the second is the version id). */
const INDEX_BUILD_LOCK = 748_213;

async function buildLocked(session: SqlClient, versionId: number, wait: boolean): Promise<IndexBuildOutcome> {
  if (wait) {
    await session.query(`SELECT pg_advisory_lock(${INDEX_BUILD_LOCK}, $1)`, [versionId]);
  } else {
    const [row] = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${INDEX_BUILD_LOCK}, $1) AS locked`, [versionId]);
    if (!row?.locked) return 'busy';
  }
  try {
    return await buildUnlessPresent(session, versionId);
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${INDEX_BUILD_LOCK}, $1)`, [versionId]);
  }
}

async function buildUnlessPresent(session: SqlClient, versionId: number): Promise<IndexBuildOutcome> {
  const [row] = await session.query<{ kind: FeatureSetKind; entity_type: EntityType; schema: unknown; own: boolean; readable: boolean; rows: number }>(
    `SELECT fs.kind::text AS kind, fs.entity_type::text AS entity_type, v.schema,
            v.ann_base_version_id IS NULL AND v.row_base_version_id IS NULL AS own, v.status IN ('published', 'deprecated') AS readable,
            (SELECT count(*)::int FROM feature_value WHERE version_id = v.id) AS rows
       FROM feature_set_version v JOIN feature_set fs ON fs.id = v.feature_set_id
      WHERE v.id = $1`,
    [versionId],
  );
  if (!row || !row.own || !row.readable) return 'none';
  const schema = (typeof row.schema === 'string' ? JSON.parse(row.schema) : row.schema) as VersionSchema;
  const vector = vectorFeature(schema.features);
  if (!vector || vector.dimension > MAX_INDEXED_DIMENSION) return 'none';
  const metrics = indexMetrics({ kind: row.kind, entityType: row.entity_type });
  if (await hasFeatureVectorIndexes(session, versionId, metrics)) return 'ready';
  // Session-level, because CREATE INDEX CONCURRENTLY cannot run in the transaction SET LOCAL
  // needs; restored afterwards since a PGlite session is everyone's. pgvector builds far faster
  // while the graph fits in memory (hnswBuildMemoryKb).
  const [current] = await session.query<{ kb: number }>(`SELECT setting::int AS kb FROM pg_settings WHERE name = 'maintenance_work_mem'`);
  const currentKb = current?.kb ?? 0;
  await session.exec(`SET maintenance_work_mem = '${Math.max(currentKb, hnswBuildMemoryKb(row.rows, vector.dimension))}kB'`);
  try {
    await createFeatureVectorIndex(session, versionId, vector.dimension, metrics);
  } finally {
    await session.exec(currentKb > 0 ? `SET maintenance_work_mem = '${currentKb}kB'` : 'RESET maintenance_work_mem');
  }
  return 'built';
}

/** Drops the indexes of versions beyond INDEXED_VERSIONS (retirableVectorIndexVersions); returns their ids. */
async function retireVectorIndexes(db: Database, featureSetId: number | null): Promise<number[]> {
  const ids = featureSetId === null ? await retirableEverywhere(db.sql) : await retirableVectorIndexVersions(db.sql, featureSetId, INDEXED_VERSIONS);
  for (const id of ids) await dropFeatureVectorIndex(db.sql, id);
  return ids;
}

async function retirableEverywhere(sql: SqlClient): Promise<number[]> {
  const sets = await sql.query<{ id: number }>('SELECT id FROM feature_set ORDER BY id');
  const ids: number[] = [];
  for (const set of sets) ids.push(...(await retirableVectorIndexVersions(sql, set.id, INDEXED_VERSIONS)));
  return ids;
}
