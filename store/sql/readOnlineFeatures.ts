import type { SqlClient } from '../db/Database.ts';
import { versionRowsSql } from './versionRows.ts';

/** Most entity keys one online read accepts: a request for more should be split by the caller. */
export const MAX_ONLINE_KEYS = 10_000;

export interface OnlineReadRequest {
  readonly featureSet: string;
  /** 'latest': the highest published (not deprecated) version; a number: that version if published or deprecated. */
  readonly version: 'latest' | number;
  readonly entityKeys: readonly string[];
  /** The reference time of the TTL check; default: the database's clock at the read. */
  readonly now?: Date;
}

/**
 * One requested entity, in request order. `status`:
 * - ok: values, vector and timestamps are set;
 * - stale: the row exists but valid_from is older than the feature set's TTL before `now`:
 *   values and vector are null (a stale value is not served), the timestamps say how old it is;
 * - missing: the version has no row for the entity.
 */
export interface OnlineFeatureRow {
  readonly entityKey: string;
  readonly status: 'ok' | 'stale' | 'missing';
  readonly values: Record<string, unknown> | null;
  readonly vector: number[] | null;
  /** Freshness: from when the values hold. Null when missing. */
  readonly validFrom: Date | null;
  /** When the row was written by its materialization. Null when missing. */
  readonly createdAt: Date | null;
}

export interface OnlineReadResult {
  readonly featureSetId: number;
  readonly versionId: number;
  readonly version: number;
  readonly status: 'published' | 'deprecated';
  readonly ttlSeconds: number | null;
  readonly rows: OnlineFeatureRow[];
  /** Keys of the rows with status 'missing', in request order. */
  readonly missing: string[];
}

export type OnlineReadOutcome =
  | { readonly found: 'result'; readonly result: OnlineReadResult }
  | { readonly found: 'no_feature_set' }
  | { readonly found: 'no_version' };

/**
 * Reads one version's values for a list of entity keys in ONE statement: the feature set and
 * version are resolved in the same statement as the values, so the read sees one snapshot (a
 * publish commits entirely before or after it) and costs one round trip whatever the number of
 * keys. The values are found by the primary key (version_id, entity_key), in the version's own
 * rows and, for a delta version, its row base's (versionRows.ts).
 */
export async function readOnlineFeatures(sql: SqlClient, request: OnlineReadRequest): Promise<OnlineReadOutcome> {
  if (request.entityKeys.length > MAX_ONLINE_KEYS) {
    throw new RangeError(`an online read takes at most ${MAX_ONLINE_KEYS} entity keys, got ${request.entityKeys.length}`);
  }
  const rows = await sql.query<ReadRow>(
    `WITH fs AS (
       SELECT id, ttl_seconds FROM feature_set WHERE name = $1
     ),
     ver AS (
       SELECT v.id, v.version, v.status::text AS status, v.row_base_version_id AS row_base
         FROM feature_set_version v JOIN fs ON v.feature_set_id = fs.id
        WHERE CASE WHEN $2::int IS NULL THEN v.status = 'published'
                   ELSE v.version = $2::int AND v.status IN ('published', 'deprecated') END
        ORDER BY v.version DESC
        LIMIT 1
     ),
     clock AS (SELECT coalesce($4::timestamptz, now()) AS now)
     SELECT fs.id AS feature_set_id, fs.ttl_seconds, ver.id AS version_id, ver.version, ver.status,
            k.position, k.entity_key, fv.entity_key IS NOT NULL AS present,
            (fs.ttl_seconds IS NOT NULL AND fv.valid_from < clock.now - make_interval(secs => fs.ttl_seconds)) AS stale,
            fv."values", fv.vector::text AS vector, fv.valid_from, fv.created_at
       FROM fs
       CROSS JOIN clock
       LEFT JOIN ver ON true
       LEFT JOIN LATERAL unnest($3::text[]) WITH ORDINALITY AS k(entity_key, position) ON ver.id IS NOT NULL
       LEFT JOIN LATERAL ${versionRowsSql('ver.id', 'ver.row_base', 'fv.entity_key = k.entity_key')} fv ON true
      ORDER BY k.position`,
    [request.featureSet, request.version === 'latest' ? null : request.version, request.entityKeys, request.now?.toISOString() ?? null],
  );
  const first = rows[0];
  if (!first) return { found: 'no_feature_set' };
  if (first.version_id === null) return { found: 'no_version' };
  const result: OnlineReadResult = {
    featureSetId: first.feature_set_id,
    versionId: first.version_id,
    version: first.version!,
    status: first.status as 'published' | 'deprecated',
    ttlSeconds: first.ttl_seconds,
    rows: [],
    missing: [],
  };
  for (const row of rows) {
    if (row.entity_key === null) continue; // the one row of an empty request
    if (!row.present) {
      result.rows.push({ entityKey: row.entity_key, status: 'missing', values: null, vector: null, validFrom: null, createdAt: null });
      result.missing.push(row.entity_key);
    } else if (row.stale) {
      result.rows.push({ entityKey: row.entity_key, status: 'stale', values: null, vector: null, validFrom: toDate(row.valid_from), createdAt: toDate(row.created_at) });
    } else {
      result.rows.push({
        entityKey: row.entity_key,
        status: 'ok',
        values: parseJsonObject(row.values),
        vector: row.vector === null ? null : parseVectorText(row.vector),
        validFrom: toDate(row.valid_from),
        createdAt: toDate(row.created_at),
      });
    }
  }
  return { found: 'result', result };
}

interface ReadRow extends Record<string, unknown> {
  readonly feature_set_id: number;
  readonly ttl_seconds: number | null;
  readonly version_id: number | null;
  readonly version: number | null;
  readonly status: string | null;
  readonly entity_key: string | null;
  readonly present: boolean;
  readonly stale: boolean | null;
  readonly values: unknown;
  readonly vector: string | null;
  readonly valid_from: Date | string | null;
  readonly created_at: Date | string | null;
}

/**
 * pgvector's text form "[1,2.5,-3e-05]" is a JSON array: parsing it is several times cheaper than
 * casting to real[] in SQL and decoding that array literal (measured on 100-row reads).
 */
export function parseVectorText(text: string): number[] {
  return JSON.parse(text) as number[];
}

export function toDate(value: Date | string | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}

/** JSONB arrives parsed from both drivers; a text value is parsed here to be safe. */
export function parseJsonObject(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
