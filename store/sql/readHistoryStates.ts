import type { SqlClient } from '../db/Database.ts';
import type { SideState } from '../../ml/data/aggregates.ts';

export interface HistoryStates {
  /** By user external id; a user without events is absent. */
  readonly users: Map<string, SideState>;
  readonly items: Map<string, SideState>;
}

/**
 * What the events up to now say about some users and items, in ONE statement: count, sum of
 * values, positives (value >= threshold) and, per user, the latest event time, per item, the
 * first; the states behind the behavioural aggregates of a request served now (see
 * ml/data/aggregates.ts `aggregatesAt`). The (user_id, occurred_at) and (item_id, occurred_at)
 * indexes keep it to the requested entities' events.
 */
export async function readHistoryStates(sql: SqlClient, userIds: readonly string[], itemIds: readonly string[], positiveThreshold: number): Promise<HistoryStates> {
  const rows = await sql.query<{ side: 'user' | 'item'; external_id: string; count: number; sum: number; positives: number; at: Date | string }>(
    `SELECT 'user' AS side, u.external_id, count(*)::int AS count, sum(e.value)::float8 AS sum,
            count(*) FILTER (WHERE e.value >= $3)::int AS positives, max(e.occurred_at) AS at
       FROM app_user u JOIN event e ON e.user_id = u.id
      WHERE u.external_id = ANY($1::text[])
      GROUP BY u.external_id
     UNION ALL
     SELECT 'item', i.external_id, count(*)::int, sum(e.value)::float8,
            count(*) FILTER (WHERE e.value >= $3)::int, min(e.occurred_at)
       FROM item i JOIN event e ON e.item_id = i.id
      WHERE i.external_id = ANY($2::text[])
      GROUP BY i.external_id`,
    [userIds, itemIds, positiveThreshold],
  );
  const states: HistoryStates = { users: new Map(), items: new Map() };
  for (const row of rows) {
    const state: SideState = { count: row.count, sum: Number(row.sum), positives: row.positives, time: new Date(row.at).getTime() };
    (row.side === 'user' ? states.users : states.items).set(row.external_id, state);
  }
  return states;
}
