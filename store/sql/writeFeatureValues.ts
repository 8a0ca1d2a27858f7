import type { SqlClient } from '../db/Database.ts';
import { toVectorLiteral } from './upsertEmbeddings.ts';

/** One entity's values in a feature set version, already checked against the version's schema. */
export interface FeatureValueRow {
  readonly entityKey: string;
  /** Non-vector features by name; a feature absent or null is a missing value. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly vector?: readonly number[] | null;
  /** From when the values hold (event time): a Date, or an ISO 8601 string with an offset (microseconds kept). */
  readonly validFrom: Date | string;
}

export interface WriteFeatureValuesResult {
  /** False when the version is not pending (or does not exist): nothing was written. */
  readonly pending: boolean;
  readonly written: number;
}

/**
 * Upserts rows into one version, in one statement, only while the version is pending. The
 * statement takes a share lock on the version row, and publishing takes an update lock on it, so
 * a write either commits before the publish reads the rows or sees the version published and
 * writes nothing: a published version never changes. Entity keys must be unique within a call.
 */
export async function writeFeatureValues(sql: SqlClient, versionId: number, rows: readonly FeatureValueRow[]): Promise<WriteFeatureValuesResult> {
  const [result] = await sql.query<{ pending: boolean; written: number }>(
    `WITH target AS (
       SELECT id FROM feature_set_version WHERE id = $1 AND status = 'pending' FOR SHARE
     ),
     written AS (
       INSERT INTO feature_value (version_id, entity_key, "values", vector, valid_from)
       SELECT target.id, x.entity_key, x.vals, x.vector::vector, x.valid_from
         FROM target
        CROSS JOIN unnest($2::text[], $3::jsonb[], $4::text[], $5::timestamptz[]) AS x(entity_key, vals, vector, valid_from)
       ON CONFLICT (version_id, entity_key) DO UPDATE
         SET "values" = excluded."values", vector = excluded.vector, valid_from = excluded.valid_from, created_at = now()
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM target) AS pending, (SELECT count(*) FROM written)::int AS written`,
    [
      versionId,
      rows.map((row) => row.entityKey),
      rows.map((row) => JSON.stringify(row.values)),
      rows.map((row) => (row.vector ? toVectorLiteral(row.vector) : null)),
      rows.map((row) => (row.validFrom instanceof Date ? row.validFrom.toISOString() : row.validFrom)),
    ],
  );
  return { pending: result?.pending ?? false, written: result?.written ?? 0 };
}
