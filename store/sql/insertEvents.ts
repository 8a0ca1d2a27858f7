import type { SqlClient } from '../db/Database.ts';

export interface EventRow {
  readonly eventKey: string;
  readonly clientEventId: string | null;
  readonly userId: string;
  readonly itemId: string;
  readonly type: string;
  readonly value: number;
  readonly occurredAt: Date;
  readonly context: Record<string, unknown> | null;
}

/**
 * Inserts events by their users' and items' external ids; an event whose key is already stored
 * is skipped. Callers check first that every referenced user and item exists. Returns how many
 * rows were new.
 */
export async function insertEvents(sql: SqlClient, rows: readonly EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const [result] = await sql.query<{ inserted: number }>(
    `WITH written AS (
       INSERT INTO event (event_key, client_event_id, user_id, item_id, type, value, occurred_at, context)
       SELECT x.event_key, x.client_event_id, u.id, i.id, x.type, x.value, x.occurred_at, x.context
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::float8[], $7::timestamptz[], $8::jsonb[])
              AS x(event_key, client_event_id, user_ext, item_ext, type, value, occurred_at, context)
         JOIN app_user u ON u.external_id = x.user_ext
         JOIN item i ON i.external_id = x.item_ext
       ON CONFLICT (event_key) DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::int AS inserted FROM written`,
    [
      rows.map((row) => row.eventKey),
      rows.map((row) => row.clientEventId),
      rows.map((row) => row.userId),
      rows.map((row) => row.itemId),
      rows.map((row) => row.type),
      rows.map((row) => row.value),
      rows.map((row) => row.occurredAt.toISOString()),
      rows.map((row) => (row.context ? JSON.stringify(row.context) : null)),
    ],
  );
  return result?.inserted ?? 0;
}
