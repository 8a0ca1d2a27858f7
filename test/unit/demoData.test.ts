import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEMO_IMAGE_MODEL,
  DEMO_TEXT_MODEL,
  demoColdIds,
  demoDataSource,
  type DemoDataOptions,
} from '../../store/demo/demoData.ts';
import { DEMO_CATEGORIES } from '../../store/demo/demoCatalog.ts';
import { Random } from '../../store/demo/random.ts';
import { writeJsonl } from '../../store/demo/writeJsonl.ts';
import { jsonlSource } from '../../store/import/jsonl.ts';
import type { EmbeddingRecord, EntityRecord, EventRecord, FieldDeclaration, IngestItem } from '../../store/ingest/records.ts';

const SMALL: DemoDataOptions = { seed: 7, users: 300, items: 200, eventsPerUser: 12, coldShare: 0.2, days: 30, start: new Date('2024-03-01T00:00:00Z') };

interface Collected {
  kinds: string[];
  fields: FieldDeclaration[];
  users: EntityRecord[];
  items: EntityRecord[];
  events: EventRecord[];
  embeddings: EmbeddingRecord[];
}

async function collect(source: AsyncIterable<IngestItem>): Promise<Collected> {
  const out: Collected = { kinds: [], fields: [], users: [], items: [], events: [], embeddings: [] };
  for await (const item of source) {
    if (out.kinds.at(-1) !== item.kind) out.kinds.push(item.kind);
    if (item.kind === 'field') out.fields.push(item.record);
    else if (item.kind === 'entity') (item.record.entityType === 'user' ? out.users : out.items).push(item.record);
    else if (item.kind === 'event') out.events.push(item.record);
    else out.embeddings.push(item.record);
  }
  return out;
}

const generate = (options: DemoDataOptions): Promise<Collected> => collect(demoDataSource(options).read());

describe('Random', () => {
  it('is deterministic per seed and stays in range', () => {
    const a = new Random(123);
    const b = new Random(123);
    const c = new Random(124);
    const sequence = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sequence);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sequence);
    const random = new Random(1);
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = random.next();
      expect(u >= 0 && u < 1).toBe(true);
      const z = random.normal();
      sum += z;
      sumSquares += z * z;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.05);
    expect(Math.abs(sumSquares / 20_000 - 1)).toBeLessThan(0.05);
    const hits = [0, 0, 0];
    for (let i = 0; i < 6000; i++) hits[random.weightedIndex([1, 0, 2])]!++;
    expect(hits[1]).toBe(0);
    expect(hits[2]! / hits[0]!).toBeGreaterThan(1.7);
    expect(random.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('demoDataSource', () => {
  it('is deterministic: the same seed gives identical output, another seed differs', async () => {
    const first = JSON.stringify(await generate(SMALL));
    const again = JSON.stringify(await generate(SMALL));
    const other = JSON.stringify(await generate({ ...SMALL, seed: 8 }));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('yields fields, users, items, events, embeddings in that order, with padded string ids', async () => {
    const data = await generate(SMALL);
    expect(data.kinds).toEqual(['field', 'entity', 'event', 'embedding']);
    expect(data.users.map((user) => user.externalId).slice(0, 2)).toEqual(['u001', 'u002']);
    expect(data.items.map((item) => item.externalId).at(-1)).toBe('i200');
    expect(data.users).toHaveLength(300);
    expect(data.items).toHaveLength(200);
  });

  it('gives the cold share of users and items no events, and every warm user some', async () => {
    const data = await generate(SMALL);
    const cold = demoColdIds(SMALL);
    expect(cold.users).toHaveLength(60);
    expect(cold.items).toHaveLength(40);
    const usersWithEvents = new Set(data.events.map((event) => event.userId));
    const itemsWithEvents = new Set(data.events.map((event) => event.itemId));
    for (const id of cold.users) expect(usersWithEvents.has(id)).toBe(false);
    for (const id of cold.items) expect(itemsWithEvents.has(id)).toBe(false);
    expect(usersWithEvents.size).toBe(300 - 60);
  });

  it('makes valid events: known ids, types, values, unique event ids, times in range and increasing per user', async () => {
    const data = await generate(SMALL);
    const userIds = new Set(data.users.map((user) => user.externalId));
    const itemIds = new Set(data.items.map((item) => item.externalId));
    const start = SMALL.start!.getTime();
    const end = start + SMALL.days! * 86_400_000;
    const last = new Map<string, number>();
    const types = new Map<string, number>();
    for (const event of data.events) {
      expect(userIds.has(event.userId)).toBe(true);
      expect(itemIds.has(event.itemId)).toBe(true);
      types.set(event.type, (types.get(event.type) ?? 0) + 1);
      if (event.type === 'rating') {
        expect(Number.isInteger(event.value) && event.value >= 1 && event.value <= 5).toBe(true);
      } else {
        expect(['view', 'click', 'purchase']).toContain(event.type);
        expect(event.value).toBe(1);
      }
      const time = event.occurredAt.getTime();
      expect(time).toBeGreaterThanOrEqual(start);
      expect(time).toBeLessThan(end);
      expect(time).toBeGreaterThan(last.get(event.userId) ?? -Infinity);
      last.set(event.userId, time);
      expect(event.clientEventId).toMatch(/^demo-7-/);
    }
    expect(new Set(data.events.map((event) => event.clientEventId)).size).toBe(data.events.length);
    // Poisson-ish around the mean, and views are the most common type.
    expect(data.events.length / 240).toBeGreaterThan(9);
    expect(data.events.length / 240).toBeLessThan(15);
    expect(Math.max(...types.values())).toBe(types.get('view'));
    expect(types.get('rating')).toBeGreaterThan(0);
  });

  it('gives every entity exactly its declared fields, with values of the declared types', async () => {
    const data = await generate(SMALL);
    for (const [entityType, records] of [['user', data.users], ['item', data.items]] as const) {
      const fields = data.fields.filter((field) => field.entityType === entityType);
      expect(fields.length).toBeGreaterThan(0);
      for (const record of records) {
        expect(Object.keys(record.metadata).sort()).toEqual(fields.map((field) => field.name).sort());
        for (const field of fields) {
          const value = record.metadata[field.name];
          switch (field.type) {
            case 'numeric':
              expect(typeof value === 'number' && Number.isFinite(value)).toBe(true);
              break;
            case 'categorical':
            case 'text':
              expect(typeof value === 'string' && value.length > 0).toBe(true);
              break;
            case 'tags':
              expect(Array.isArray(value) && value.length > 0 && value.every((tag) => typeof tag === 'string')).toBe(true);
              break;
            case 'date':
              expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
              expect(Number.isNaN(Date.parse(value as string))).toBe(false);
              break;
            case 'boolean':
              expect(typeof value).toBe('boolean');
              break;
          }
        }
      }
    }
    for (const user of data.users) expect((user.metadata.age as number) >= 18 && (user.metadata.age as number) <= 75).toBe(true);
    for (const item of data.items) {
      expect(DEMO_CATEGORIES).toContain(item.metadata.category);
      expect(item.metadata.price as number).toBeGreaterThan(0);
    }
  });

  it('gives items text embeddings, and image embeddings except for about 15% of them', async () => {
    const data = await generate(SMALL);
    expect(data.embeddings.every((embedding) => embedding.entityType === 'item')).toBe(true);
    const images = data.embeddings.filter((embedding) => embedding.modality === 'image');
    const texts = data.embeddings.filter((embedding) => embedding.modality === 'text');
    expect(texts).toHaveLength(200);
    expect(images.every((embedding) => embedding.modelName === DEMO_IMAGE_MODEL && embedding.vector.length === 32)).toBe(true);
    expect(texts.every((embedding) => embedding.modelName === DEMO_TEXT_MODEL && embedding.vector.length === 16)).toBe(true);
    const missing = 1 - images.length / 200;
    expect(missing).toBeGreaterThan(0.12);
    expect(missing).toBeLessThan(0.18);
    const custom = await generate({ ...SMALL, imageDim: 8, textDim: 4, missingImageShare: 0.5 });
    expect(custom.embeddings.filter((embedding) => embedding.modality === 'image').map((embedding) => embedding.vector.length)).toEqual(Array(100).fill(8));
  });

  it('makes metadata predictive: users of one demographic group share favourite categories far more than others', async () => {
    const options: DemoDataOptions = { seed: 11, users: 800, items: 300, eventsPerUser: 15, coldShare: 0 };
    const data = await generate(options);
    const categoryOf = new Map(data.items.map((item) => [item.externalId, item.metadata.category as string]));
    const counts = new Map<string, Map<string, number>>();
    for (const event of data.events) {
      const byCategory = counts.get(event.userId) ?? new Map<string, number>();
      const category = categoryOf.get(event.itemId)!;
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      counts.set(event.userId, byCategory);
    }
    const favourite = new Map([...counts].map(([user, byCategory]) => [user, [...byCategory].sort((a, b) => b[1] - a[1])[0]![0]]));
    const groupOf = (user: EntityRecord): string => {
      const ageGroup = [24, 34, 49, 64, Infinity].findIndex((upTo) => (user.metadata.age as number) <= upTo);
      return `${ageGroup}/${user.metadata.country as string}`;
    };
    const users = data.users.filter((user) => favourite.has(user.externalId));
    const agree = { same: 0, samePairs: 0, other: 0, otherPairs: 0 };
    for (let a = 0; a < users.length; a++) {
      for (let b = a + 1; b < users.length; b++) {
        const match = favourite.get(users[a]!.externalId) === favourite.get(users[b]!.externalId) ? 1 : 0;
        if (groupOf(users[a]!) === groupOf(users[b]!)) {
          agree.same += match;
          agree.samePairs++;
        } else {
          agree.other += match;
          agree.otherPairs++;
        }
      }
    }
    const sameRate = agree.same / agree.samePairs;
    const otherRate = agree.other / agree.otherPairs;
    // With taste independent of demographics both rates are ~0.10; the model gives ~0.3 vs ~0.1.
    expect(agree.samePairs).toBeGreaterThan(1000);
    expect(sameRate).toBeGreaterThan(1.8 * otherRate);
    expect(sameRate - otherRate).toBeGreaterThan(0.08);
  });

  it('round-trips through writeJsonl and the jsonl importer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-demo-'));
    try {
      const options = { ...SMALL, users: 40, items: 30 };
      const counts = await writeJsonl(demoDataSource(options).read(), dir);
      const original = await generate(options);
      expect(counts).toEqual({ users: 40, items: 30, events: original.events.length, embeddings: original.embeddings.length });
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'schema.json'), 'utf8')).item.release_date).toBe('date');
      const imported = await collect(jsonlSource(dir).read());
      const strip = (fields: FieldDeclaration[]) => fields.map(({ entityType, name, type }) => ({ entityType, name, type }));
      expect(strip(imported.fields)).toEqual(strip(original.fields));
      expect(imported.users).toEqual(original.users);
      expect(imported.items).toEqual(original.items);
      expect(imported.events).toEqual(original.events);
      expect(imported.embeddings).toEqual(original.embeddings);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
