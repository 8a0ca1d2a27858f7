import type { SqlClient } from '../db/Database.ts';
import { MAX_INDEXED_DIMENSION } from './modalities.ts';

/**
 * Creates the HNSW index of one feature set version's vectors. feature_value.vector holds
 * vectors of every dimension, so, as for modalities, each version gets a partial index over its
 * rows cast to its fixed dimension; nearest-neighbour queries must use the same cast and
 * predicate: `ORDER BY vector::vector(d) <=> $1::vector(d) ... WHERE version_id = <id>`.
 * Vectors above HNSW's 2,000 dimensions get no index (searched exactly). Returns the index name,
 * or null when none was made.
 */
export async function createFeatureVectorIndex(sql: SqlClient, versionId: number, dimension: number): Promise<string | null> {
  if (!Number.isInteger(versionId) || !Number.isInteger(dimension)) throw new TypeError('version id and dimension must be integers');
  if (dimension > MAX_INDEXED_DIMENSION) return null;
  const name = featureVectorIndexName(versionId);
  await sql.exec(
    `CREATE INDEX IF NOT EXISTS ${name} ON feature_value
       USING hnsw ((vector::vector(${dimension})) vector_cosine_ops)
       WHERE version_id = ${versionId}`,
  );
  return name;
}

export async function dropFeatureVectorIndex(sql: SqlClient, versionId: number): Promise<void> {
  if (!Number.isInteger(versionId)) throw new TypeError('version id must be an integer');
  await sql.exec(`DROP INDEX IF EXISTS ${featureVectorIndexName(versionId)}`);
}

export function featureVectorIndexName(versionId: number): string {
  return `feature_value_hnsw_version_${versionId}`;
}
