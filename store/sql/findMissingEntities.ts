import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { ENTITY_TABLE } from './entityTables.ts';

/** Returns the external ids among `externalIds` that the store does not know. */
export async function findMissingEntities(
  sql: SqlClient,
  entityType: EntityType,
  externalIds: readonly string[],
): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const rows = await sql.query<{ external_id: string }>(
    `SELECT DISTINCT x.external_id
       FROM unnest($1::text[]) AS x(external_id)
      WHERE NOT EXISTS (SELECT 1 FROM ${ENTITY_TABLE[entityType]} e WHERE e.external_id = x.external_id)`,
    [externalIds],
  );
  return new Set(rows.map((row) => row.external_id));
}
