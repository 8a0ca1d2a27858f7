import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importData } from '../../store/import/importData.ts';
import { jsonlSource } from '../../store/import/jsonl.ts';
import { IngestError } from '../../store/ingest/IngestError.ts';
import { Ingestor } from '../../store/ingest/Ingestor.ts';
import { readStats } from '../../store/stats.ts';
import { smallDataSet, writeJsonlFixture, type JsonlFiles } from '../support/jsonlFixture.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';
import path from 'node:path';

/** Everything the store holds that an import may touch, to prove a failed one changed nothing. */
async function snapshotStore(test: TestDatabase): Promise<unknown> {
  return test.db.sql.query(`
    SELECT (SELECT json_agg(u ORDER BY id) FROM app_user u) AS users,
           (SELECT json_agg(i ORDER BY id) FROM item i) AS items,
           (SELECT json_agg(e ORDER BY id) FROM event e) AS events,
           (SELECT json_agg(json_build_object('id', m.id, 'v', m.vector::text) ORDER BY id) FROM embedding m) AS embeddings,
           (SELECT json_agg(f ORDER BY id) FROM metadata_field f) AS fields,
           (SELECT json_agg(m ORDER BY id) FROM modality m) AS modalities`);
}

describe('jsonl import', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabase();
  });
  afterEach(async () => {
    await test.dispose();
  });

  const importFiles = (files: JsonlFiles) => importData(test.db, jsonlSource(writeJsonlFixture(files)));

  it('stores users, items, events and embeddings with typed metadata', async () => {
    const summary = await importFiles(smallDataSet());
    expect(summary.users).toEqual({ received: 3, inserted: 3, updated: 0 });
    expect(summary.items).toEqual({ received: 4, inserted: 4, updated: 0 });
    expect(summary.events).toEqual({ received: 5, inserted: 5 });
    expect(summary.embeddings).toEqual({ received: 2, written: 2 });
    expect(summary.newModalities).toBe(1);

    const stats = await readStats(test.db);
    expect(stats).toMatchObject({ users: 3, items: 4, events: 5, embeddings: 2, modalities: 1 });

    const fields = await test.db.prisma.metadataField.findMany({ orderBy: [{ entityType: 'asc' }, { name: 'asc' }] });
    expect(fields.map((field) => `${field.entityType}.${field.name}:${field.type}`)).toEqual([
      'user.age:numeric', 'user.country:categorical', 'user.premium:boolean',
      'item.category:categorical', 'item.price:numeric', 'item.released:date', 'item.tags:tags', 'item.title:text',
    ]);
    const rated = await test.db.prisma.event.findFirstOrThrow({ where: { type: 'rating' }, include: { user: true, item: true } });
    expect(rated.user.externalId).toBe('u2');
    expect(rated.item.externalId).toBe('i3');
    expect(rated.value).toBe(4.5);
    expect(rated.occurredAt.toISOString()).toBe('2025-01-01T10:00:00.000Z');
    expect(rated.context).toEqual({ device: 'ios' });
    const offset = await test.db.prisma.event.findFirstOrThrow({ where: { type: 'view', user: { externalId: 'u2' } } });
    expect(offset.occurredAt.toISOString()).toBe('2025-01-03T09:00:00.000Z');

    const [vector] = await test.db.sql.query<{ vector: string; dims: number }>(
      `SELECT e.vector::text AS vector, vector_dims(e.vector) AS dims FROM embedding e JOIN item i ON i.id = e.item_id WHERE i.external_id = 'i2'`,
    );
    expect(vector).toEqual({ vector: '[0.4,0.3,0.2,0.1]', dims: 4 });
  });

  it('gives each modality an HNSW index that nearest-neighbour queries use', async () => {
    await importFiles(smallDataSet());
    const [modality] = await test.db.sql.query<{ id: number; dimension: number; model_name: string }>('SELECT id, dimension, model_name FROM modality');
    expect(modality).toMatchObject({ dimension: 4, model_name: 'clip-vit-b32' });
    const indexes = await test.db.sql.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'embedding' AND indexdef LIKE '%hnsw%'`);
    expect(indexes).toHaveLength(1);
    expect(indexes[0]!.indexdef).toContain('vector(4)');
    const plan = await test.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = await tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT item_id FROM embedding WHERE modality_id = ${modality!.id}
          ORDER BY vector::vector(4) <=> '[1,0,0,0]'::vector(4) LIMIT 1`,
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/embedding_hnsw_modality_\d+/);
  });

  it('changes nothing when the same data is imported again', async () => {
    await importFiles(smallDataSet());
    const before = await snapshotStore(test);
    const again = await importFiles(smallDataSet());
    expect(again.users).toEqual({ received: 3, inserted: 0, updated: 0 });
    expect(again.items).toEqual({ received: 4, inserted: 0, updated: 0 });
    expect(again.events).toEqual({ received: 5, inserted: 0 });
    expect(again.embeddings).toEqual({ received: 2, written: 0 });
    expect(await snapshotStore(test)).toEqual(before);
  });

  it('updates changed metadata and vectors in place', async () => {
    await importFiles(smallDataSet());
    const summary = await importFiles({
      users: [{ id: 'u1', metadata: { age: 32, country: 'DE' } }],
      embeddings: [{ entity: 'item', id: 'i1', modality: 'image', model: 'clip-vit-b32', vector: [1, 0, 0, 0] }],
    });
    expect(summary.users).toEqual({ received: 1, inserted: 0, updated: 1 });
    expect(summary.embeddings.written).toBe(1);
    const user = await test.db.prisma.user.findUniqueOrThrow({ where: { externalId: 'u1' } });
    expect(user.metadata).toEqual({ age: 32, country: 'DE' });
    expect(await readStats(test.db)).toMatchObject({ users: 3, embeddings: 2 });
  });

  const badEvents: [string, object | string, string][] = [
    ['bad JSON', '{"user": "u1", "item": ', 'bad JSON'],
    ['an unknown user', { user: 'nobody', item: 'i1', type: 'click', timestamp: '2025-02-01T00:00:00Z' }, 'field "user": unknown user "nobody"'],
    ['an unknown item', { user: 'u1', item: 'i99', type: 'click', timestamp: '2025-02-01T00:00:00Z' }, 'field "item": unknown item "i99"'],
    ['a NaN value', '{"user": "u1", "item": "i1", "type": "rating", "value": NaN, "timestamp": "2025-02-01T00:00:00Z"}', 'bad JSON'],
    ['a string value', { user: 'u1', item: 'i1', type: 'rating', value: '4', timestamp: '2025-02-01T00:00:00Z' }, 'field "value": expected a finite number'],
    ['a timestamp without zone', { user: 'u1', item: 'i1', type: 'click', timestamp: '2025-02-01 10:00' }, 'field "timestamp"'],
    ['a missing type', { user: 'u1', item: 'i1', timestamp: '2025-02-01T00:00:00Z' }, 'field "type"'],
    ['an unknown field', { user: 'u1', item: 'i1', type: 'click', timestamp: '2025-02-01T00:00:00Z', rating: 5 }, 'field "rating": unknown field'],
  ];

  it.each(badEvents)('rejects an events file whose line 3 has %s, naming file, line and field, and stores nothing', async (_, badLine, message) => {
    await importFiles(smallDataSet());
    const before = await snapshotStore(test);
    const dir = writeJsonlFixture({
      users: [{ id: 'u9', metadata: { age: 20 } }],
      events: [
        { user: 'u9', item: 'i1', type: 'click', timestamp: '2025-02-01T00:00:00Z' },
        { user: 'u1', item: 'i3', type: 'click', timestamp: '2025-02-01T00:00:00Z' },
        badLine,
        { user: 'u2', item: 'i2', type: 'click', timestamp: '2025-02-01T00:00:00Z' },
      ],
    });
    const failure = importData(test.db, jsonlSource(dir));
    await expect(failure).rejects.toThrow(IngestError);
    await expect(failure).rejects.toThrow(`${path.join(dir, 'events.jsonl')}:3: `);
    await expect(failure).rejects.toThrow(message);
    expect(await snapshotStore(test)).toEqual(before);
  });

  it('rejects a vector of the wrong dimension or with a non-number, naming the field', async () => {
    await importFiles(smallDataSet());
    const before = await snapshotStore(test);
    await expect(
      importFiles({ embeddings: [{ entity: 'item', id: 'i3', modality: 'image', model: 'clip-vit-b32', vector: [1, 2, 3] }] }),
    ).rejects.toThrow(/embeddings\.jsonl:1: field "vector": expected 4 dimensions for item modality "image", got 3/);
    await expect(
      importFiles({ embeddings: [{ entity: 'item', id: 'i3', modality: 'image', model: 'clip-vit-b32', vector: [1, null, 3, 4] }] }),
    ).rejects.toThrow(/embeddings\.jsonl:1: field "vector\[1\]": expected a finite number/);
    await expect(
      importFiles({ embeddings: [{ entity: 'item', id: 'i3', modality: 'image', model: 'other-model', vector: [1, 2, 3, 4] }] }),
    ).rejects.toThrow(/field "model"/);
    expect(await snapshotStore(test)).toEqual(before);
  });

  it('rejects metadata that contradicts a declared field type', async () => {
    await importFiles(smallDataSet());
    await expect(importFiles({ users: [{ id: 'u5', metadata: { age: 'old' } }] })).rejects.toThrow(
      /users\.jsonl:1: field "metadata\.age": expected a finite number \(a numeric field\), got "old"/,
    );
    await expect(importFiles({ items: [{ id: 'i9', metadata: { released: 'March' } }] })).rejects.toThrow(/field "metadata\.released": expected an ISO 8601 date/);
    expect(await readStats(test.db)).toMatchObject({ users: 3, items: 4 });
  });

  it('deduplicates events by client id, or by content when there is none', async () => {
    await importFiles(smallDataSet());
    const summary = await importFiles({
      events: [
        { user: 'u1', item: 'i2', type: 'purchase', value: 2, timestamp: '2025-03-01T00:00:00Z', eventId: 'e-2' },
        { user: 'u3', item: 'i1', type: 'click', timestamp: '2025-03-01T00:00:00Z' },
        { user: 'u3', item: 'i1', type: 'click', timestamp: '2025-03-01T00:00:00Z' },
        { user: 'u3', item: 'i1', type: 'click', timestamp: '2025-03-01T00:00:01Z' },
      ],
    });
    expect(summary.events).toEqual({ received: 4, inserted: 2 });
    expect((await readStats(test.db)).events).toBe(7);
  });

  it('writes in batches: a failure after several committed-looking batches still leaves nothing', async () => {
    const users = Array.from({ length: 12_001 }, (_, index) => ({ id: `bulk-${index}`, metadata: { score: index } }));
    users[12_000] = { id: 'bulk-last', metadata: { score: 'high' } } as never;
    await expect(importFiles({ users })).rejects.toThrow(/users\.jsonl:12001: field "metadata\.score"/);
    expect((await readStats(test.db)).users).toBe(0);
  });

  it('rebuilds the index of a modality after a bulk ingest, and rolls the drop back on failure', async () => {
    const count = 120;
    const items = Array.from({ length: count }, (_, index) => ({ id: `bulk-${index}` }));
    const embeddings = items.map((item, index) => ({ entity: 'item', id: item.id, modality: 'style', model: 'm', vector: [Math.cos(index), Math.sin(index)] }));
    // A small threshold and batch make a bulk ingest of a few rows: the same code path as 10,000s.
    const bulkImport = (files: JsonlFiles) =>
      test.db.transaction(async (tx) => {
        const ingestor = await Ingestor.begin(tx, { batchSize: 25, bulkIndexThreshold: 50 });
        for await (const item of jsonlSource(writeJsonlFixture(files)).read()) await ingestor.add(item);
        return ingestor.finish();
      });
    await importFiles({ items: items.slice(0, 1), embeddings: embeddings.slice(0, 1) });
    const indexes = () => test.db.sql.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'embedding' AND indexdef LIKE '%hnsw%'`);
    expect(await indexes()).toHaveLength(1);

    const broken = [...embeddings];
    broken[count - 1] = { ...broken[count - 1]!, vector: [1] };
    await expect(bulkImport({ items, embeddings: broken })).rejects.toThrow(/embeddings\.jsonl:120: field "vector"/);
    expect(await indexes()).toHaveLength(1);

    const summary = await bulkImport({ items, embeddings });
    expect(summary.embeddings.written).toBe(count - 1);
    expect(await indexes()).toHaveLength(1);
    const [nearest] = await test.db.sql.query<{ external_id: string }>(
      `SELECT i.external_id FROM embedding e JOIN item i ON i.id = e.item_id JOIN modality m ON m.id = e.modality_id
        WHERE m.name = 'style' ORDER BY e.vector::vector(2) <=> '[${Math.cos(7)},${Math.sin(7)}]'::vector(2) LIMIT 1`,
    );
    expect(nearest?.external_id).toBe('bulk-7');
  });
});
