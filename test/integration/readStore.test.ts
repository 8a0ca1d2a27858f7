import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importData } from '../../store/import/importData.ts';
import { jsonlSource } from '../../store/import/jsonl.ts';
import { parseVector, readEntities, readEntityBatches } from '../../store/sql/readEntities.ts';
import { readEvents } from '../../store/sql/readEvents.ts';
import { smallDataSet, writeJsonlFixture } from '../support/jsonlFixture.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

describe('reading entities and events for training', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
    await importData(test.db, jsonlSource(writeJsonlFixture(smallDataSet())));
    // A micro-second timestamp and an event after the others, to test ordering and watermarks.
    await test.db.sql.query(
      `INSERT INTO event (event_key, user_id, item_id, type, value, occurred_at)
       SELECT 'late', u.id, i.id, 'view', 2.5, '2025-02-01T00:00:00.123456Z'
         FROM app_user u, item i WHERE u.external_id = 'u3' AND i.external_id = 'i2'`,
    );
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it('reads every user and item with metadata, in batches', async () => {
    const users = await readEntities(test.db.sql, 'user');
    expect(users.map((user) => user.externalId)).toEqual(['u1', 'u2', 'u3']);
    expect(users[1]!.metadata).toEqual({ age: 45, country: 'FR', premium: true });
    expect(users[2]!.metadata).toEqual({});
    const batches: string[][] = [];
    for await (const batch of readEntityBatches(test.db.sql, 'item', { batchSize: 3 })) batches.push(batch.map((item) => item.externalId));
    expect(batches).toEqual([['i1', 'i2', 'i3'], ['i4']]);
  });

  it('pages by the numeric key, also past ids whose text order differs (9 < 10)', async () => {
    const extra = Array.from({ length: 20 }, (_, k) => `x${String(k).padStart(2, '0')}`);
    await test.db.sql.query(`INSERT INTO app_user (external_id) SELECT unnest($1::text[])`, [extra]);
    try {
      const users = await readEntities(test.db.sql, 'user', { batchSize: 4 });
      expect(users.map((user) => user.externalId)).toEqual(['u1', 'u2', 'u3', ...extra]);
    } finally {
      await test.db.sql.query(`DELETE FROM app_user WHERE external_id = ANY($1::text[])`, [extra]);
    }
  });

  it('reads modality vectors only when asked, for the ids asked, in their order', async () => {
    const without = await readEntities(test.db.sql, 'item');
    expect(without[0]!.vectors).toEqual({});
    const items = await readEntities(test.db.sql, 'item', { externalIds: ['i2', 'nope', 'i1', 'i4'], modalities: true, batchSize: 2 });
    expect(items.map((item) => item.externalId)).toEqual(['i2', 'i1', 'i4']);
    expect([...items[0]!.vectors.image!]).toEqual([...Float32Array.from([0.4, 0.3, 0.2, 0.1])]);
    expect(items[1]!.metadata).toMatchObject({ title: 'Trail running shoes', tags: ['outdoor', 'running'] });
    expect(items[2]!.vectors).toEqual({});
    const named = await readEntities(test.db.sql, 'item', { externalIds: ['i1'], modalities: ['audio'] });
    expect(named[0]!.vectors).toEqual({});
  });

  it('reads events with external ids in time order, across pages', async () => {
    const events = await readEvents(test.db.sql);
    expect(events).toHaveLength(6);
    expect(events.map((event) => `${event.userId}/${event.itemId}`)).toEqual(['u1/i1', 'u2/i3', 'u1/i2', 'u2/i1', 'u3/i4', 'u3/i2']);
    expect(events[0]!.time).toBe(Date.parse('2025-01-01T10:00:00Z'));
    expect(events[1]).toMatchObject({ type: 'rating', value: 4.5, context: { device: 'ios' } });
    expect(events[5]!.time).toBeCloseTo(Date.parse('2025-02-01T00:00:00.123Z') + 0.456, 6);
    const paged = await readEvents(test.db.sql, { batchSize: 1 });
    expect(paged).toEqual(events);
  });

  it('stops at a watermark (inclusive) and filters by type', async () => {
    const until = await readEvents(test.db.sql, { until: new Date('2025-01-02T10:00:00Z') });
    expect(until.map((event) => event.itemId)).toEqual(['i1', 'i3', 'i2']);
    const views = await readEvents(test.db.sql, { types: ['view'] });
    expect(views.map((event) => event.userId)).toEqual(['u2', 'u3', 'u3']);
  });
});

describe('parseVector', () => {
  it('parses pgvector text and decoded arrays, and rejects anything else', () => {
    expect([...parseVector('[1,2.5,-3e-05]')]).toEqual([...Float32Array.from([1, 2.5, -3e-5])]);
    expect([...parseVector(' [ 1 , 2 ] ')]).toEqual([1, 2]);
    expect([...parseVector([1, 2])]).toEqual([1, 2]);
    expect(parseVector('[]')).toHaveLength(0);
    expect(() => parseVector('1,2')).toThrow(/like \[1,2,3\]/);
    expect(() => parseVector('[1,,2]')).toThrow(/value 1/);
    expect(() => parseVector('[1,NaN]')).toThrow(/not a finite number/);
    expect(() => parseVector(null)).toThrow(/expected a vector/);
  });
});
