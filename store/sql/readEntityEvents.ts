import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';

export interface EntityEventRow {
  /** The store's row id: the page cursor. */
  readonly rowId: number;
  readonly id: string;
  readonly userId: string;
  readonly itemId: string;
  readonly type: string;
  readonly value: number;
  readonly occurredAt: Date;
  readonly context: Record<string, unknown> | null;
}

/**
 * One page of a user's or item's events, most recently ingested first, by keyset on the row id
 * (`before`: the cursor of the previous page's last row). Reads one row more than asked, so
 * the caller knows whether another page follows.
 */
export async function readEntityEvents(sql: SqlClient, entityType: EntityType, entityId: string, first: number, before: number | null): Promise<{ rows: EntityEventRow[]; hasMore: boolean }> {
  const rows = await sql.query<{ row_id: number; id: string; user_id: string; item_id: string; type: string; value: number; occurred_at: Date | string; context: unknown }>(
    `SELECT ev.id AS row_id, coalesce(ev.client_event_id, ev.event_key) AS id, u.external_id AS user_id, i.external_id AS item_id,
            ev.type, ev.value, ev.occurred_at, ev.context
       FROM event ev
       JOIN app_user u ON u.id = ev.user_id
       JOIN item i ON i.id = ev.item_id
      WHERE ev.${ENTITY_COLUMN[entityType]} = (SELECT id FROM ${ENTITY_TABLE[entityType]} WHERE external_id = $1)
        AND ($2::bigint IS NULL OR ev.id < $2::bigint)
      ORDER BY ev.id DESC
      LIMIT $3`,
    [entityId, before, first + 1],
  );
  return {
    hasMore: rows.length > first,
    rows: rows.slice(0, first).map((row) => ({
      rowId: Number(row.row_id),
      id: row.id,
      userId: row.user_id,
      itemId: row.item_id,
      type: row.type,
      value: Number(row.value),
      occurredAt: new Date(row.occurred_at),
      context: (typeof row.context === 'string' ? JSON.parse(row.context) : row.context) as Record<string, unknown> | null,
    })),
  };
}
