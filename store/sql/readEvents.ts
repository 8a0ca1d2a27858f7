import type { SqlClient } from '../db/Database.ts';

/** An event with its user's and item's external ids. */
export interface StoredEvent {
  readonly userId: string;
  readonly itemId: string;
  readonly type: string;
  readonly value: number;
  /** Milliseconds since the Unix epoch, with the stored microseconds as the fraction. */
  readonly time: number;
  readonly context: Record<string, unknown> | null;
}

export interface ReadEventsOptions {
  /** Only events that occurred at or before this watermark (a data snapshot's event_watermark). */
  readonly until?: Date;
  /** Only events of these types. */
  readonly types?: readonly string[];
  /** Rows per query; default 50,000. */
  readonly batchSize?: number;
}

/** Reads events in time order (ties by insertion order). */
export async function readEvents(sql: SqlClient, options: ReadEventsOptions = {}): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const batch of readEventBatches(sql, options)) all.push(...batch);
  return all;
}

/**
 * Reads events a batch at a time in (occurred_at, id) order, by keyset pagination: each query
 * starts after the last row of the previous one, so concurrent inserts never shift a page.
 */
export async function* readEventBatches(sql: SqlClient, options: ReadEventsOptions = {}): AsyncGenerator<StoredEvent[]> {
  const batchSize = options.batchSize ?? 50_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const until = options.until ? options.until.toISOString() : null;
  const types = options.types ?? null;
  // The cursor is the exact stored instant (microseconds, UTC) and the row id.
  let cursor: { at: string; id: string } | null = null;
  for (;;) {
    const rows: EventRowText[] = await sql.query<EventRowText>(
      `SELECT e.id::text AS row_id,
              u.external_id AS user_id,
              i.external_id AS item_id,
              e.type,
              e.value,
              to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_utc,
              e.context
         FROM event e
         JOIN app_user u ON u.id = e.user_id
         JOIN item i ON i.id = e.item_id
        WHERE ($1::timestamptz IS NULL OR e.occurred_at <= $1::timestamptz)
          AND ($2::text[] IS NULL OR e.type = ANY($2::text[]))
          AND ($3::timestamptz IS NULL OR (e.occurred_at, e.id) > ($3::timestamptz, $4::bigint))
        ORDER BY e.occurred_at, e.id
        LIMIT $5`,
      [until, types, cursor?.at ?? null, cursor?.id ?? null, batchSize],
    );
    if (rows.length === 0) return;
    yield rows.map(toStoredEvent);
    const last = rows[rows.length - 1]!;
    cursor = { at: last.occurred_utc, id: last.row_id };
    if (rows.length < batchSize) return;
  }
}

type EventRowText = {
  readonly row_id: string;
  readonly user_id: string;
  readonly item_id: string;
  readonly type: string;
  readonly value: number | string;
  readonly occurred_utc: string;
  readonly context: unknown;
};

function toStoredEvent(row: EventRowText): StoredEvent {
  const context = typeof row.context === 'string' ? (JSON.parse(row.context) as unknown) : row.context;
  return {
    userId: row.user_id,
    itemId: row.item_id,
    type: row.type,
    value: Number(row.value),
    time: parseMicros(row.occurred_utc),
    context: context && typeof context === 'object' ? (context as Record<string, unknown>) : null,
  };
}

/** "2025-01-01T10:00:00.123456Z" -> epoch milliseconds including the microseconds' fraction. */
function parseMicros(iso: string): number {
  const micros = Number(iso.slice(20, 26));
  return Date.parse(`${iso.slice(0, 19)}Z`) + micros / 1000;
}
