import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SideState } from '../../ml/data/aggregates.ts';
import { demoDataSource } from '../../store/demo/demoData.ts';
import { importData } from '../../store/import/importData.ts';
import { readHistoryStates } from '../../store/sql/readHistoryStates.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

describe('history states behind the behavioural aggregates of a request', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
    await importData(test.db, demoDataSource({ seed: 5, users: 30, items: 60, eventsPerUser: 6, coldShare: 0.2 }));
  }, 120_000);
  afterAll(async () => {
    await test?.dispose();
  });

  /** The same states computed here from every event row. */
  async function expected(threshold: number) {
    const events = await test.db.sql.query<{ user_id: string; item_id: string; value: number; at: Date | string }>(
      'SELECT u.external_id AS user_id, i.external_id AS item_id, e.value::float8 AS value, e.occurred_at AS at FROM event e JOIN app_user u ON u.id = e.user_id JOIN item i ON i.id = e.item_id',
    );
    const users = new Map<string, SideState>();
    const items = new Map<string, SideState>();
    const add = (states: Map<string, SideState>, key: string, value: number, time: number, latest: boolean) => {
      const state = states.get(key) ?? { count: 0, sum: 0, positives: 0, time };
      states.set(key, {
        count: state.count + 1, sum: state.sum + value, positives: state.positives + (value >= threshold ? 1 : 0),
        time: latest ? Math.max(state.time, time) : Math.min(state.time, time),
      });
    };
    for (const event of events) {
      const time = new Date(event.at).getTime();
      add(users, event.user_id, Number(event.value), time, true);
      add(items, event.item_id, Number(event.value), time, false);
    }
    return { users, items, events: events.length };
  }

  it('counts, sums, positives and the latest (user) or first (item) event time of exactly the requested entities', async () => {
    const all = await expected(4);
    expect(all.events).toBeGreaterThan(50);
    const userIds = [...all.users.keys()].slice(0, 3).concat('u-without-events');
    const allItems = (await test.db.sql.query<{ external_id: string }>('SELECT external_id FROM item ORDER BY id')).map((row) => row.external_id);
    const itemIds = allItems.slice(0, 40);
    expect(itemIds.some((id) => !all.items.has(id))).toBe(true); // some requested items have no events
    const states = await readHistoryStates(test.db.sql, userIds, itemIds, 4);
    const pick = (source: Map<string, SideState>, ids: readonly string[]) => new Map(ids.filter((id) => source.has(id)).map((id) => [id, source.get(id)!]));
    const rounded = (map: Map<string, SideState>) => new Map([...map].map(([id, state]) => [id, { ...state, sum: Math.round(state.sum * 1e6) / 1e6 }]));
    expect(rounded(states.users)).toEqual(rounded(pick(all.users, userIds)));
    expect(rounded(states.items)).toEqual(rounded(pick(all.items, itemIds)));
  });
});
