import type { SqlClient } from '../db/Database.ts';
import { parseJsonObject, parseVectorText, toDate } from './readOnlineFeatures.ts';
import { rowBelongsToVersionSql } from './versionRows.ts';

/** Most (entity, timestamp) pairs one point-in-time read accepts. */
export const MAX_POINT_IN_TIME_PAIRS = 50_000;

export interface PointInTimeQuery {
  readonly entityKey: string;
  /** A Date, or an ISO 8601 string with an offset (microseconds kept). */
  readonly timestamp: Date | string;
}

export interface PointInTimeRequest {
  readonly featureSet: string;
  /** Only this version (it must be published or deprecated). Absent: every version ever published. */
  readonly version?: number;
  readonly pairs: readonly PointInTimeQuery[];
}

/** The value an entity had at a timestamp, in request order; found: false when there was none. */
export interface PointInTimeRow {
  readonly entityKey: string;
  readonly timestamp: Date | string;
  readonly found: boolean;
  /** The version the value comes from (versions may differ between rows: check their schemas). */
  readonly version: number | null;
  readonly values: Record<string, unknown> | null;
  readonly vector: number[] | null;
  readonly validFrom: Date | null;
}

export type PointInTimeOutcome =
  | { readonly found: 'result'; readonly rows: PointInTimeRow[] }
  | { readonly found: 'no_feature_set' }
  | { readonly found: 'no_version' };

/**
 * For each (entity, t), the value with the latest valid_from <= t among the versions of the
 * feature set that were published at or before t (published or since deprecated; pending and
 * failed versions never count). Both conditions matter for leak-free training sets: a value
 * that describes t but was materialized later (valid_from <= t < published_at) was not known
 * at t. Ties on valid_from go to the later-published version. One statement for all pairs: a
 * LATERAL lookup per pair over the (entity_key, valid_from) index; a delta version's rows include
 * its row base's for the entities it stores none of (versionRows.ts), so a row read through a
 * delta counts as that version's, as it would in a full copy.
 */
export async function readPointInTime(sql: SqlClient, request: PointInTimeRequest): Promise<PointInTimeOutcome> {
  if (request.pairs.length > MAX_POINT_IN_TIME_PAIRS) {
    throw new RangeError(`a point-in-time read takes at most ${MAX_POINT_IN_TIME_PAIRS} pairs, got ${request.pairs.length}`);
  }
  const rows = await sql.query<ReadRow>(
    `WITH fs AS (
       SELECT id FROM feature_set WHERE name = $1
     ),
     ver AS (
       SELECT v.id, v.version, v.published_at, v.row_base_version_id AS row_base
         FROM feature_set_version v JOIN fs ON v.feature_set_id = fs.id
        WHERE v.status IN ('published', 'deprecated') AND ($2::int IS NULL OR v.version = $2::int)
     )
     SELECT (SELECT count(*) FROM ver)::int AS versions, q.position, hit.version, hit."values", hit.vector, hit.valid_from
       FROM fs
       LEFT JOIN LATERAL unnest($3::text[], $4::timestamptz[]) WITH ORDINALITY AS q(entity_key, at, position) ON true
       LEFT JOIN LATERAL (
         SELECT ver.version, fv."values", fv.vector::text AS vector, fv.valid_from
           FROM feature_value fv
           JOIN ver ON ${rowBelongsToVersionSql('fv', 'ver.id', 'ver.row_base')}
          WHERE fv.entity_key = q.entity_key
            AND fv.valid_from <= q.at
            AND ver.published_at <= q.at
          ORDER BY fv.valid_from DESC, ver.published_at DESC, ver.version DESC
          LIMIT 1
       ) hit ON true
      ORDER BY q.position`,
    [
      request.featureSet,
      request.version ?? null,
      request.pairs.map((pair) => pair.entityKey),
      request.pairs.map((pair) => (pair.timestamp instanceof Date ? pair.timestamp.toISOString() : pair.timestamp)),
    ],
  );
  const first = rows[0];
  if (!first) return { found: 'no_feature_set' };
  if (request.version !== undefined && first.versions === 0) return { found: 'no_version' };
  const result: PointInTimeRow[] = [];
  for (const row of rows) {
    if (row.position === null) continue; // the one row of an empty request
    const pair = request.pairs[Number(row.position) - 1]!;
    const found = row.version !== null;
    result.push({
      entityKey: pair.entityKey,
      timestamp: pair.timestamp,
      found,
      version: row.version,
      values: found ? parseJsonObject(row.values) : null,
      vector: row.vector === null ? null : parseVectorText(row.vector),
      validFrom: toDate(row.valid_from),
    });
  }
  return { found: 'result', rows: result };
}

interface ReadRow extends Record<string, unknown> {
  readonly versions: number;
  readonly position: number | string | null;
  readonly version: number | null;
  readonly values: unknown;
  readonly vector: string | null;
  readonly valid_from: Date | string | null;
}
