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
 *
 * A version published without indexes of its own (feature_set_version.ann_base_version_id, see
 * publishVersion) is searched in two parts whose union is exactly its rows: the ANN base's HNSW
 * index, keeping the entities whose vector in this version is the same, and an exact scan of the
 * few entities whose vector differs or is new (ann_delta_keys, found by primary key). The k
 * nearest of both are the answer.
 */
export async function searchFeatureVectors(db: Pick<Database, 'transaction'>, search: VectorSearch): Promise<VectorMatch[]> {
  checkSearch(search);
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
  const part = (where: readonly string[]) =>
    `SELECT fv.entity_key, ${distance} AS distance
       FROM feature_value fv ${join}
      WHERE ${[...where, ...filters].join(' AND ')}
      ORDER BY ${distance}
      LIMIT $2`;
  const approximate = search.approximate !== false;
  const settings = approximate
    ? `SET LOCAL hnsw.ef_search = ${search.efSearch ?? DEFAULT_EF_SEARCH}; SET LOCAL hnsw.iterative_scan = relaxed_order;`
    : 'SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;';
  const rows = await db.transaction(async (tx) => {
    await tx.exec(settings);
    const [layout] = approximate
      ? await tx.query<{ base: number | null }>('SELECT ann_base_version_id AS base FROM feature_set_version WHERE id = $1', [versionId])
      : [];
    const base = layout?.base ?? null;
    if (base === null) return tx.query<{ entity_key: string; distance: number }>(part([`fv.version_id = ${versionId}`]), params);
    if (!Number.isInteger(base)) throw new TypeError('ANN base version id must be an integer');
    return tx.query<{ entity_key: string; distance: number }>(
      `(${part([
        `fv.version_id = ${base}`,
        `EXISTS (SELECT 1 FROM feature_value same WHERE same.version_id = ${versionId} AND same.entity_key = fv.entity_key AND same.vector = fv.vector)`,
      ])})
       UNION ALL
       (${part([
        `fv.version_id = ${versionId}`,
        `fv.entity_key = ANY((SELECT ann_delta_keys FROM feature_set_version WHERE id = ${versionId})::text[])`,
      ])})`,
      params,
    );
  });
  return rows
    .map((row) => ({ entityKey: row.entity_key, distance: Number(row.distance) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, search.k);
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
