import type { Database } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { ENTITY_TABLE } from './entityTables.ts';
import { distanceOperator, type VectorMetric } from './featureVectorIndex.ts';
import { toVectorLiteral } from './upsertEmbeddings.ts';

/**
 * hnsw.ef_search of a search unless the caller says otherwise: the candidate list the HNSW scan
 * keeps. pgvector's default (40) gave recall@10 well below 0.95 on 100k vectors; `npm run bench
 * -- ann` measures recall and latency per value.
 */
export const DEFAULT_EF_SEARCH = 100;

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
 * sorted by distance here. Runs in a transaction because the scan settings are SET LOCAL.
 */
export async function searchFeatureVectors(db: Pick<Database, 'transaction'>, search: VectorSearch): Promise<VectorMatch[]> {
  checkSearch(search);
  const { versionId, dimension } = search;
  const operator = distanceOperator(search.metric);
  const params: unknown[] = [toVectorLiteral(Array.from(search.query)), search.k];
  const where = [`fv.version_id = ${versionId}`];
  if (search.excludeKeys?.length) {
    params.push(search.excludeKeys);
    where.push(`fv.entity_key <> ALL($${params.length}::text[])`);
  }
  let join = '';
  if (search.metadataContains && Object.keys(search.metadataContains).length > 0) {
    params.push(JSON.stringify(search.metadataContains));
    join = `JOIN ${ENTITY_TABLE[search.entityType]} e ON e.external_id = fv.entity_key AND e.metadata @> $${params.length}::jsonb`;
  }
  const settings = search.approximate === false
    ? 'SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;'
    : `SET LOCAL hnsw.ef_search = ${search.efSearch ?? DEFAULT_EF_SEARCH}; SET LOCAL hnsw.iterative_scan = relaxed_order;`;
  const rows = await db.transaction(async (tx) => {
    await tx.exec(settings);
    return tx.query<{ entity_key: string; distance: number }>(
      `SELECT fv.entity_key, fv.vector::vector(${dimension}) ${operator} $1::vector(${dimension}) AS distance
         FROM feature_value fv ${join}
        WHERE ${where.join(' AND ')}
        ORDER BY fv.vector::vector(${dimension}) ${operator} $1::vector(${dimension})
        LIMIT $2`,
      params,
    );
  });
  return rows
    .map((row) => ({ entityKey: row.entity_key, distance: Number(row.distance) }))
    .sort((a, b) => a.distance - b.distance);
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
