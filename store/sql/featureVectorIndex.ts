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
 * exactly). Returns the names of the indexes made.
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
  for (const metric of metrics) {
    const name = featureVectorIndexName(versionId, metric);
    await sql.exec(
      `CREATE INDEX IF NOT EXISTS ${name} ON feature_value
         USING hnsw ((vector::vector(${dimension})) ${METRIC_SQL[metric].opclass})
         WHERE version_id = ${versionId}`,
    );
    names.push(name);
  }
  return names;
}

export async function dropFeatureVectorIndex(sql: SqlClient, versionId: number): Promise<void> {
  if (!Number.isInteger(versionId)) throw new TypeError('version id must be an integer');
  for (const metric of VECTOR_METRICS) await sql.exec(`DROP INDEX IF EXISTS ${featureVectorIndexName(versionId, metric)}`);
}

export function featureVectorIndexName(versionId: number, metric: VectorMetric = 'cosine'): string {
  return `feature_value_hnsw${METRIC_SQL[metric].suffix}_version_${versionId}`;
}
