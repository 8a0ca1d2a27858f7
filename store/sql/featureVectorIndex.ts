import type { SqlClient } from '../db/Database.ts';
import { MAX_INDEXED_DIMENSION } from './modalities.ts';

/**
 * How vectors are compared: cosine distance (`<=>`, similar entities) or negative inner product
 * (`<#>`, the retrieval head's score q . s, for recommendation candidates).
 */
export const VECTOR_METRICS = ['cosine', 'inner_product'] as const;
export type VectorMetric = (typeof VECTOR_METRICS)[number];

const METRIC_SQL: Record<VectorMetric, { readonly operator: string; readonly opclass: string; readonly suffix: string }> = {
  cosine: { operator: '<=>', opclass: 'vector_cosine_ops', suffix: '' },
  inner_product: { operator: '<#>', opclass: 'vector_ip_ops', suffix: '_ip' },
};

/**
 * HNSW build parameters of version indexes: pgvector's default m 16, and ef_construction 32, the
 * smallest pgvector allows for m 16 (2 m), instead of its default 64. Building is most of a full
 * materialization's time, and ef_construction is what it scales with: `npm run bench -- ann`
 * (100k synthesized item vectors, 200 queries) measured the full materialization with both
 * indexes at 35.8 s against 45.9 s with 64 on the server, with the same recall@10 at the default
 * ef_search: cosine (ef_search 20) 0.999 against 1.000, inner product (ef_search 800) 0.989
 * against 0.989; on PGlite 1.000 and 0.988 (0.959 at ef_search 400).
 */
export const HNSW_BUILD = { m: 16, efConstruction: 32 } as const;

/** The pgvector distance operator of a metric (smaller is nearer for both). */
export function distanceOperator(metric: VectorMetric): string {
  return METRIC_SQL[metric].operator;
}

/**
 * Creates the HNSW indexes of one feature set version's vectors, one per metric. feature_value.vector
 * holds vectors of every dimension, so, as for modalities, each version gets a partial index over
 * its rows cast to its fixed dimension; nearest-neighbour queries must use the same cast and
 * predicate: `ORDER BY vector::vector(d) <=> $1::vector(d) ... WHERE version_id = <id>` (see
 * searchFeatureVectors.ts). Vectors above HNSW's 2,000 dimensions get no index (searched
 * exactly). An index left invalid by an interrupted build is dropped and built again. Returns
 * the names of the indexes made.
 *
 * CONCURRENTLY, so it must run outside a transaction (Database.withSession): versions are indexed
 * after they are published, and a plain CREATE INDEX would hold off every write to feature_value
 * (other feature sets' materializations) for the tens of seconds a graph takes. Callers make sure
 * only one build of a version runs at a time: its invalid index while it builds would otherwise
 * look like an interrupted one to another builder. An inner-product index records the version's
 * norm (ann_ip_norm) before its build starts; searches order by the norm-equalized expression from
 * then on, which ranks exactly like the plain inner product with or without the index.
 */
export async function createFeatureVectorIndex(
  sql: SqlClient,
  versionId: number,
  dimension: number,
  metrics: readonly VectorMetric[] = ['cosine'],
): Promise<string[]> {
  if (!Number.isInteger(versionId) || !Number.isInteger(dimension)) throw new TypeError('version id and dimension must be integers');
  if (dimension > MAX_INDEXED_DIMENSION) return [];
  const names: string[] = [];
  const states = await indexStates(sql, versionId);
  for (const metric of metrics) {
    const name = featureVectorIndexName(versionId, metric);
    if (states.get(name) === true) {
      names.push(name);
      continue;
    }
    if (states.has(name)) await sql.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    let ipNorm: number | null = null;
    if (metric === 'inner_product') {
      const [row] = await sql.query<{ norm: number | null }>(`SELECT max(vector_norm(vector::vector(${dimension})))::float8 AS norm FROM feature_value WHERE version_id = $1`, [versionId]);
      ipNorm = Number(row?.norm ?? 0);
      await sql.query('UPDATE feature_set_version SET ann_ip_norm = $2 WHERE id = $1', [versionId, ipNorm]);
    }
    await sql.exec(
      `CREATE INDEX CONCURRENTLY ${name} ON feature_value
         USING hnsw (${indexedVectorSql('vector', dimension, metric, ipNorm)} ${METRIC_SQL[metric].opclass})
         WITH (m = ${HNSW_BUILD.m}, ef_construction = ${HNSW_BUILD.efConstruction})
         WHERE version_id = ${versionId}`,
    );
    names.push(name);
  }
  return names;
}

/**
 * The indexed expression of a version's vectors, which an ANN query must order by verbatim.
 * Cosine: the vector cast to its dimension. Inner product: x' = [x, sqrt(M^2 - |x|^2)], with M
 * the largest norm of the version's vectors when the index was built (feature_set_version.
 * ann_ip_norm): every x' has norm M, and the query q' = [q, 0] (queryVectorSql) gives
 * q'.x' = q.x, the same ranking. HNSW builds a poor graph under inner product when norms vary
 * (hub vectors of large norm crowd every neighbour list): measured recall@10 0.06 against 1.0
 * for cosine on synthesized item vectors. ipNorm null: the raw vector (exact searches, and
 * indexes built before norms were equalized).
 */
export function indexedVectorSql(column: string, dimension: number, metric: VectorMetric, ipNorm: number | null): string {
  const cast = `(${column}::vector(${dimension}))`;
  if (metric !== 'inner_product' || ipNorm === null) return cast;
  const m = formatNorm(ipNorm);
  return `((${cast} || ARRAY[sqrt(greatest(${m} * ${m} - vector_norm(${cast}) * vector_norm(${cast}), 0::float8))]::vector(1))::vector(${dimension + 1}))`;
}

/** The query vector to order by against indexedVectorSql (parameter `param` holds the query). */
export function queryVectorSql(param: string, dimension: number, metric: VectorMetric, ipNorm: number | null): string {
  return metric === 'inner_product' && ipNorm !== null ? `((${param}::vector(${dimension}) || '[0]'::vector(1))::vector(${dimension + 1}))` : `${param}::vector(${dimension})`;
}

function formatNorm(norm: number): string {
  if (!Number.isFinite(norm) || norm < 0) throw new RangeError(`vector norm must be a finite number >= 0, got ${norm}`);
  return `${norm}::float8`;
}

/** Whether every index of these metrics exists and is valid (an interrupted build leaves an invalid one). */
export async function hasFeatureVectorIndexes(sql: SqlClient, versionId: number, metrics: readonly VectorMetric[]): Promise<boolean> {
  const states = await indexStates(sql, versionId);
  return metrics.every((metric) => states.get(featureVectorIndexName(versionId, metric)) === true);
}

async function indexStates(sql: SqlClient, versionId: number): Promise<Map<string, boolean>> {
  const names = VECTOR_METRICS.map((metric) => featureVectorIndexName(versionId, metric));
  const rows = await sql.query<{ name: string; valid: boolean }>(
    `SELECT c.relname AS name, i.indisvalid AS valid
       FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
      WHERE c.relname = ANY($1::text[]) AND c.relnamespace = current_schema()::regnamespace`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, row.valid]));
}

/**
 * maintenance_work_mem for building HNSW indexes over `rows` vectors: pgvector builds much
 * faster while the graph fits in memory (measured on PostgreSQL 15, 100k x 32: 42 s with the
 * default 64MB, 20 s with 512MB). About 64 bytes per neighbour slot at level 0, the vector and
 * the element's bookkeeping, with headroom; never below 64MB, at most 2GB.
 */
export function hnswBuildMemoryKb(rows: number, dimension: number): number {
  const bytes = rows * (64 * HNSW_BUILD.m + 4 * dimension + 512);
  return Math.min(2 * 1024 * 1024, Math.max(64 * 1024, Math.ceil(bytes / 1024)));
}

/**
 * Drops a version's vector indexes (a failed version's). CONCURRENTLY where the database allows:
 * a plain DROP INDEX would lock feature_value against every reader until it is done.
 */
export async function dropFeatureVectorIndex(sql: SqlClient, versionId: number): Promise<void> {
  if (!Number.isInteger(versionId)) throw new TypeError('version id must be an integer');
  for (const metric of VECTOR_METRICS) await sql.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${featureVectorIndexName(versionId, metric)}`);
}

export function featureVectorIndexName(versionId: number, metric: VectorMetric = 'cosine'): string {
  return `${featureVectorIndexPrefix(metric)}${versionId}`;
}

/** The name of a version's index of this metric without the version id (for SQL that names them by id). */
export function featureVectorIndexPrefix(metric: VectorMetric): string {
  return `feature_value_hnsw${METRIC_SQL[metric].suffix}_version_`;
}
