import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';

/**
 * An upper estimate of the entities an incremental run recomputes: entities whose metadata, plus
 * vectors (any modality), changed after `after`. Two plain scans, no probe per entity: it only
 * decides whether a delta version stays small enough (jobs/materialize/chooseRowBase.ts).
 */
export async function countChangedEntities(sql: SqlClient, entityType: EntityType, after: Date): Promise<number> {
  const [row] = await sql.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM ${ENTITY_TABLE[entityType]} WHERE updated_at > $1)::int
          + (SELECT count(*) FROM embedding WHERE ${ENTITY_COLUMN[entityType]} IS NOT NULL AND updated_at > $1)::int AS n`,
    [after],
  );
  return row?.n ?? 0;
}

/** Rows a version stores itself (for a delta version, its delta). */
export async function countStoredRows(sql: SqlClient, versionId: number): Promise<number> {
  const [row] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM feature_value WHERE version_id = $1', [versionId]);
  return row?.n ?? 0;
}
