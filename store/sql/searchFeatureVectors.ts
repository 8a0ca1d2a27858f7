import type { Database, SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { ENTITY_TABLE } from './entityTables.ts';
import { distanceOperator, indexedVectorSql, queryVectorSql, type VectorMetric } from './featureVectorIndex.ts';
import { toVectorLiteral } from './upsertEmbeddings.ts';
import { layoutRowsSql, type VersionRowLayout } from './versionRows.ts';

/**
 * hnsw.ef_search of a search unless the caller says otherwise: the candidate list the HNSW scan
 * keeps, per metric, the smallest value that reached recall@10 >= 0.95 in `npm run bench -- ann`
 * (100k materialized companion outputs of two trained models, one per store, 200 queries each):
 * - cosine (similar items, an item's vector as query): 20 (recall 0.999 and 1.000; p50 1.4 and
 *   2.7 ms, server and PGlite);
 * - inner product (recommendation candidates, the retrieval head's user queries, which lie off the
 *   item vectors' distribution): 80 for one model (0.955; p50 1.9 ms on the server), but 800 for
 *   the other (0.935-0.925 at 400, 0.945 at 600, 0.990 at 800; p50 9.4 ms on PGlite): the default
 *   is the value that reached it for both.
 */
export const DEFAULT_EF_SEARCH = 20;
export const INNER_PRODUCT_EF_SEARCH = 800;

/** The default ef_search of a metric (cosine: DEFAULT_EF_SEARCH). */
export function defaultEfSearch(metric: VectorMetric): number {
  return metric === 'inner_product' ? INNER_PRODUCT_EF_SEARCH : DEFAULT_EF_SEARCH;
}

export interface VectorSearch {
  /** feature_set_version.id and its vector dimension (the index is partial on both). */
  readonly versionId: number;
  readonly dimension: number;
  readonly entityType: EntityType;
  readonly query: ArrayLike<number>;
  readonly k: number;
  readonly metric: VectorMetric;
  /** Entity keys never returned (the query item itself, items a user already has). */
  readonly excludeKeys?: readonly string[];
  /** Only entities whose metadata contains this JSON (jsonb `@>`: {"genre": "Drama"}, {"tags": ["x"]}). */
  readonly metadataContains?: Record<string, unknown>;
  readonly efSearch?: number;
  /** false: exact search (a sequential scan), the reference that ANN recall is measured against. */
  readonly approximate?: boolean;
}

export interface VectorMatch {
  readonly entityKey: string;
  /** Cosine distance, or the negative inner product; smaller is nearer. */
  readonly distance: number;
}

/**
 * The k nearest vectors of one feature set version, through its HNSW index. Filters (exclusions,
 * metadata) are applied during the scan with pgvector's iterative scan, so a selective filter
 * still yields k rows when k exist. Relaxed order can return a few rows out of order: they are
 * sorted by distance here. Runs in a transaction because the scan settings are SET LOCAL. A
 * version whose indexes are not built yet (they are built after its publish:
 * store/featureSets/versionIndexes.ts) is scanned exactly by the same statement.
 *
 * A version published without indexes of its own (feature_set_version.ann_base_version_id, see
 * publishVersion) is searched in two parts whose union is exactly its rows: the ANN base's HNSW
 * index, keeping the entities whose vector in this version is the same, and an exact scan of the
 * few entities whose vector differs or is new (ann_delta_keys, found by primary key). The k
 * nearest of both are the answer.
 */
export async function searchFeatureVectors(db: Pick<Database, 'transaction'>, search: VectorSearch): Promise<VectorMatch[]> {
  checkSearch(search);
  const rows = await db.transaction(async (tx) => {
    const statement = await prepareSearch(tx, search);
    return tx.query<{ entity_key: string; distance: number }>(statement.sql, statement.params);
  });
  return rows
    .map((row) => ({ entityKey: row.entity_key, distance: Number(row.distance) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, search.k);
}

/** The plan of the statement a search runs (EXPLAIN, or EXPLAIN ANALYZE): evidence of which indexes serve it. */
export async function explainFeatureVectorSearch(db: Pick<Database, 'transaction'>, search: VectorSearch, options: { readonly analyze?: boolean } = {}): Promise<string> {
  checkSearch(search);
  return db.transaction(async (tx) => {
    const statement = await prepareSearch(tx, search);
    const plan = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${options.analyze ? '(ANALYZE, BUFFERS OFF) ' : ''}${statement.sql}`, statement.params);
    return plan.map((line) => line['QUERY PLAN']).join('\n');
  });
}

/** Applies the scan settings (SET LOCAL) and builds the statement for the version's search layout. */
async function prepareSearch(tx: SqlClient, search: VectorSearch): Promise<{ sql: string; params: unknown[] }> {
  const { versionId, dimension } = search;
  const operator = distanceOperator(search.metric);
  const distance = `fv.vector::vector(${dimension}) ${operator} $1::vector(${dimension})`;
  const params: unknown[] = [toVectorLiteral(Array.from(search.query)), search.k];
  const filters: string[] = [];
  if (search.excludeKeys?.length) {
    params.push(search.excludeKeys);
    filters.push(`fv.entity_key <> ALL($${params.length}::text[])`);
  }
  let join = '';
  if (search.metadataContains && Object.keys(search.metadataContains).length > 0) {
    params.push(JSON.stringify(search.metadataContains));
    join = `JOIN ${ENTITY_TABLE[search.entityType]} e ON e.external_id = fv.entity_key AND e.metadata @> $${params.length}::jsonb`;
  }
  // Ordered by the expression the index is built over (norm-equalized for inner product), so that
  // the HNSW index serves it; the distance returned is always the plain one. `from` is
  // feature_value itself where an index may serve the part, else the rows of a delta version.
  const part = (from: string, where: readonly string[], ipNorm: number | null) => {
    const conditions = [...where, ...filters];
    return `SELECT fv.entity_key, ${distance} AS distance
       FROM ${from} fv ${join}
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY ${indexedVectorSql('fv.vector', dimension, search.metric, ipNorm)} ${operator} ${queryVectorSql('$1', dimension, search.metric, ipNorm)}
      LIMIT $2`;
  };
  const [layout] = await tx.query<{ base: number | null; row_base: number | null; ip_norm: number | null; delta: string[] | null }>(
    `SELECT v.ann_base_version_id AS base, v.ann_delta_keys AS delta, v.row_base_version_id AS row_base,
            CASE WHEN v.ann_base_version_id IS NULL THEN v.ann_ip_norm ELSE b.ann_ip_norm END AS ip_norm
       FROM feature_set_version v LEFT JOIN feature_set_version b ON b.id = v.ann_base_version_id
      WHERE v.id = $1`,
    [versionId],
  );
  const rows: VersionRowLayout = { versionId, rowBaseVersionId: layout?.row_base ?? null };
  // A delta version stores a few rows and has no indexes of its own: its rows are read through
  // versionRows.ts wherever no ANN base's index serves them.
  const ownRows = rows.rowBaseVersionId === null ? { from: 'feature_value', where: [`fv.version_id = ${versionId}`] } : { from: layoutRowsSql(rows), where: [] };
  if (search.approximate === false) {
    await tx.exec('SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;');
    return { sql: part(ownRows.from, ownRows.where, null), params };
  }
  await tx.exec(`SET LOCAL hnsw.ef_search = ${search.efSearch ?? defaultEfSearch(search.metric)}; SET LOCAL hnsw.iterative_scan = relaxed_order;`);
  const base = layout?.base ?? null;
  const ipNorm = layout?.ip_norm === null || layout?.ip_norm === undefined ? null : Number(layout.ip_norm);
  if (base === null) return { sql: part(ownRows.from, ownRows.where, rows.rowBaseVersionId === null ? ipNorm : null), params };
  if (!Number.isInteger(base)) throw new TypeError('ANN base version id must be an integer');
  // The base part keeps the entities this version carries unchanged: present here and not in the
  // delta (the delta holds every key whose vector differs). Written so that the planner estimates
  // it well (nearly every row passes) and streams the HNSW scan through primary-key probes until
  // k rows pass, rather than joining whole versions. A delta version whose ANN base is its row
  // base has every entity of the base (entities are never deleted): no probe is needed.
  params.push(layout?.delta ?? []);
  const delta = `$${params.length}::text[]`;
  const presentIn = [versionId, ...(rows.rowBaseVersionId === null ? [] : [rows.rowBaseVersionId])];
  const basePart = [`fv.version_id = ${base}`, `fv.entity_key <> ALL(${delta})`];
  if (rows.rowBaseVersionId !== base) {
    basePart.push(`EXISTS (SELECT 1 FROM feature_value same WHERE same.version_id IN (${presentIn.join(', ')}) AND same.entity_key = fv.entity_key)`);
  }
  const deltaPart = rows.rowBaseVersionId === null
    ? part('feature_value', [`fv.version_id = ${versionId}`, `fv.entity_key = ANY(${delta})`], null)
    : part(layoutRowsSql(rows, `fv.entity_key = ANY(${delta})`), [], null);
  return {
    sql: `(${part('feature_value', basePart, ipNorm)})
     UNION ALL
     (${deltaPart})`,
    params,
  };
}

function checkSearch(search: VectorSearch): void {
  if (!Number.isInteger(search.versionId) || !Number.isInteger(search.dimension)) throw new TypeError('version id and dimension must be integers');
  if (search.query.length !== search.dimension) {
    throw new RangeError(`the query vector has ${search.query.length} dimensions; the feature set version's vectors have ${search.dimension}`);
  }
  for (let i = 0; i < search.query.length; i++) {
    if (!Number.isFinite(search.query[i])) throw new RangeError(`query vector component ${i} is ${search.query[i]}: expected a finite number`);
  }
  if (!Number.isInteger(search.k) || search.k < 1) throw new RangeError(`k must be a positive integer, got ${search.k}`);
  if (search.efSearch !== undefined && !(Number.isInteger(search.efSearch) && search.efSearch >= 1 && search.efSearch <= 1000)) {
    throw new RangeError(`ef_search must be an integer in [1, 1000], got ${search.efSearch}`);
  }
}
