import type { SqlClient } from '../db/Database.ts';
import type { EntityType, Metadata } from '../ingest/records.ts';
import { ENTITY_TABLE } from './entityTables.ts';

export interface EntityRow {
  readonly externalId: string;
  readonly metadata: Metadata;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/**
 * Inserts users or items, replacing the metadata of existing ones only where it differs, so
 * that re-ingesting the same data writes nothing. Ids must be unique within one call.
 */
export async function upsertEntities(
  sql: SqlClient,
  entityType: EntityType,
  rows: readonly EntityRow[],
): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const table = ENTITY_TABLE[entityType];
  // xmax = 0 only on a freshly inserted row version: it tells inserts from updates.
  const result = await sql.query<{ inserted: number; updated: number }>(
    `WITH written AS (
       INSERT INTO ${table} (external_id, metadata)
       SELECT external_id, metadata FROM unnest($1::text[], $2::jsonb[]) AS x(external_id, metadata)
       ON CONFLICT (external_id) DO UPDATE
         SET metadata = excluded.metadata, updated_at = now()
         WHERE ${table}.metadata IS DISTINCT FROM excluded.metadata
       RETURNING (xmax = 0) AS is_insert
     )
     SELECT count(*) FILTER (WHERE is_insert)::int AS inserted,
            count(*) FILTER (WHERE NOT is_insert)::int AS updated
       FROM written`,
    [rows.map((row) => row.externalId), rows.map((row) => JSON.stringify(row.metadata))],
  );
  return result[0] ?? { inserted: 0, updated: 0 };
}
