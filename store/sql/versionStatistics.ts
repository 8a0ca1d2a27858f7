/**
 * The aggregates behind a version's statistics, computed in SQL over one version's rows, a delta
 * version's merged with its row base's (versionRows.ts) (store/featureSets/statistics.ts turns
 * them into the stored statistics and drift figures).
 */
import type { SqlClient } from '../db/Database.ts';
import { layoutRowsSql, type VersionRowLayout } from './versionRows.ts';

/** Per key of the `values` JSON: counts and numeric moments (booleans count as 0/1). */
export interface ValueAggregate {
  readonly key: string;
  /** Rows where the key holds a non-null value. */
  readonly present: number;
  readonly numbers: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly distinct: number;
  readonly meanLength: number | null;
}

export async function readValueAggregates(sql: SqlClient, version: VersionRowLayout): Promise<{ rowCount: number; byKey: Map<string, ValueAggregate> }> {
  const [count] = await sql.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM ${layoutRowsSql(version)} fv`);
  const rows = await sql.query<{ key: string; present: number; numbers: number; mean: number | null; std: number | null; min: number | null; max: number | null; distinct: number; mean_length: number | null }>(
    `SELECT e.key,
            count(*) FILTER (WHERE jsonb_typeof(e.value) <> 'null')::int AS present,
            count(n.x)::int AS numbers,
            avg(n.x)::float8 AS mean, stddev_pop(n.x)::float8 AS std, min(n.x)::float8 AS min, max(n.x)::float8 AS max,
            count(DISTINCT CASE WHEN jsonb_typeof(e.value) = 'string' THEN e.value #>> '{}' END)::int AS distinct,
            avg(CASE WHEN jsonb_typeof(e.value) = 'array' THEN jsonb_array_length(e.value) END)::float8 AS mean_length
       FROM ${layoutRowsSql(version)} fv
      CROSS JOIN LATERAL jsonb_each(fv."values") AS e(key, value)
      CROSS JOIN LATERAL (
        SELECT CASE jsonb_typeof(e.value)
                 WHEN 'number' THEN (e.value)::float8
                 WHEN 'boolean' THEN CASE WHEN (e.value)::boolean THEN 1.0::float8 ELSE 0.0::float8 END
               END AS x
      ) AS n
      GROUP BY e.key`,
  );
  return {
    rowCount: count?.rows ?? 0,
    byKey: new Map(rows.map((row) => [row.key, { key: row.key, present: row.present, numbers: row.numbers, mean: row.mean, std: row.std, min: row.min, max: row.max, distinct: row.distinct, meanLength: row.mean_length }])),
  };
}

/** Vector column aggregates: norms, and the per-dimension mean and mean square (pgvector avg). */
export interface VectorAggregate {
  readonly present: number;
  readonly meanNorm: number | null;
  readonly stdNorm: number | null;
  readonly minNorm: number | null;
  readonly maxNorm: number | null;
  readonly mean: number[] | null;
  readonly meanSquare: number[] | null;
}

export async function readVectorAggregate(sql: SqlClient, version: VersionRowLayout): Promise<VectorAggregate> {
  const [row] = await sql.query<{ present: number; mean_norm: number | null; std_norm: number | null; min_norm: number | null; max_norm: number | null; mean: number[] | null; mean_square: number[] | null }>(
    `SELECT count(vector)::int AS present,
            avg(vector_norm(vector))::float8 AS mean_norm, stddev_pop(vector_norm(vector))::float8 AS std_norm,
            min(vector_norm(vector))::float8 AS min_norm, max(vector_norm(vector))::float8 AS max_norm,
            avg(vector)::real[] AS mean, avg(vector * vector)::real[] AS mean_square
       FROM ${layoutRowsSql(version)} fv`,
  );
  return {
    present: row?.present ?? 0,
    meanNorm: row?.mean_norm ?? null,
    stdNorm: row?.std_norm ?? null,
    minNorm: row?.min_norm ?? null,
    maxNorm: row?.max_norm ?? null,
    mean: row?.mean?.map(Number) ?? null,
    meanSquare: row?.mean_square?.map(Number) ?? null,
  };
}

/**
 * Mean cosine similarity between an entity's vector in `versionId` and in `previousId`, over the
 * entities with a non-zero vector in both. The two versions' vectors must have one dimension.
 */
export async function readCosineAgreement(sql: SqlClient, version: VersionRowLayout, previous: VersionRowLayout): Promise<{ common: number; meanCosine: number | null }> {
  const [row] = await sql.query<{ common: number; mean_cosine: number | null }>(
    `SELECT count(*)::int AS common, avg(1 - (n.vector <=> o.vector))::float8 AS mean_cosine
       FROM ${layoutRowsSql(version)} n
       JOIN ${layoutRowsSql(previous)} o ON o.entity_key = n.entity_key
      WHERE vector_norm(n.vector) > 0 AND vector_norm(o.vector) > 0`,
  );
  return { common: row?.common ?? 0, meanCosine: row?.mean_cosine ?? null };
}

/**
 * Vector norms of both versions counted in 10 bins whose edges are the deciles
 * (percentile_cont) of the previous version's norms; bin 0 is below the first decile, bin 9 at
 * or above the ninth. Returns null when the previous version has no vectors.
 */
export async function readNormBins(sql: SqlClient, version: VersionRowLayout, previousVersion: VersionRowLayout): Promise<{ edges: number[]; current: number[]; previous: number[] } | null> {
  const versionId = version.versionId;
  const rows = await sql.query<{ edges: number[] | null; version_id: number | null; bin: number | null; count: number | null }>(
    `WITH edges AS (
       SELECT percentile_cont(ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) WITHIN GROUP (ORDER BY vector_norm(vector)) AS e
         FROM ${layoutRowsSql(previousVersion, 'fv.vector IS NOT NULL')} fv
     ),
     binned AS (
       SELECT fv.version_id, width_bucket(vector_norm(fv.vector), edges.e) AS bin, count(*)::int AS count
         FROM (${layoutRowsSql(version, 'fv.vector IS NOT NULL')} UNION ALL ${layoutRowsSql(previousVersion, 'fv.vector IS NOT NULL')}) fv
        CROSS JOIN edges
        WHERE edges.e IS NOT NULL
        GROUP BY 1, 2
     )
     SELECT edges.e AS edges, binned.version_id, binned.bin, binned.count FROM edges LEFT JOIN binned ON true`,
  );
  const edges = rows[0]?.edges;
  if (!edges) return null;
  const current = new Array<number>(10).fill(0);
  const previous = new Array<number>(10).fill(0);
  for (const row of rows) {
    if (row.bin === null || row.count === null) continue;
    (row.version_id === versionId ? current : previous)[row.bin] = row.count;
  }
  return { edges: edges.map(Number), current, previous };
}
