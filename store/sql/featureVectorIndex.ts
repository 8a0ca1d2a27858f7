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
 * HNSW build parameters of version indexes: pgvector's defaults (m 16, ef_construction 64).
 * `npm run bench -- ann` measures recall and latency per ef_search over indexes built with them.
 */
export const HNSW_BUILD = { m: 16, efConstruction: 64 } as const;

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
    if (states.get(name) === false) await sql.exec(`DROP INDEX IF EXISTS ${name}`);
    await sql.exec(
      `CREATE INDEX IF NOT EXISTS ${name} ON feature_value
         USING hnsw ((vector::vector(${dimension})) ${METRIC_SQL[metric].opclass})
         WITH (m = ${HNSW_BUILD.m}, ef_construction = ${HNSW_BUILD.efConstruction})
         WHERE version_id = ${versionId}`,
    );
    names.push(name);
  }
  return names;
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
  return `feature_value_hnsw${METRIC_SQL[metric].suffix}_version_${versionId}`;
}
