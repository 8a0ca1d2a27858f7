import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citeULikeSource } from '../../store/import/citeulike.ts';
import { importData } from '../../store/import/importData.ts';
import { movieLensSource } from '../../store/import/movielens.ts';
import { readStats } from '../../store/stats.ts';
import { sharedDataSet } from '../support/sharedData.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

const movieLens = sharedDataSet('ml-100k');
const citeULike = sharedDataSet('citeulike-a');

describe.skipIf(!movieLens)('movielens import (ml-100k from ../shared/data)', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it('imports 943 users, 1682 items and 100000 ratings with their metadata', async () => {
    const summary = await importData(test.db, movieLensSource(movieLens!));
    expect(summary.events).toEqual({ received: 100_000, inserted: 100_000 });
    expect(await readStats(test.db)).toMatchObject({ users: 943, items: 1682, events: 100_000 });

    const user = await test.db.prisma.user.findUniqueOrThrow({ where: { externalId: '1' } });
    expect(user.metadata).toEqual({ age: 24, gender: 'M', occupation: 'technician', zip: '85711' });
    const toyStory = await test.db.prisma.item.findUniqueOrThrow({ where: { externalId: '1' } });
    expect(toyStory.metadata).toMatchObject({ title: 'Toy Story (1995)', release_date: '1995-01-01', genres: ['Animation', "Children's", 'Comedy'] });
    // u.item is ISO-8859-1: accents must survive.
    const miserables = await test.db.prisma.item.findUniqueOrThrow({ where: { externalId: '543' } });
    expect((miserables.metadata as { title: string }).title).toBe('Misérables, Les (1995)');
    const [first] = await test.db.sql.query<{ value: number; occurred_at: Date }>(
      `SELECT e.value, e.occurred_at FROM event e JOIN app_user u ON u.id = e.user_id JOIN item i ON i.id = e.item_id
        WHERE u.external_id = '196' AND i.external_id = '242'`,
    );
    expect(first?.value).toBe(3);
    expect(new Date(first!.occurred_at).getTime()).toBe(881250949 * 1000);
  });

  it('changes nothing when imported again', async () => {
    const before = await readStats(test.db);
    const summary = await importData(test.db, movieLensSource(movieLens!));
    expect(summary.users).toEqual({ received: 943, inserted: 0, updated: 0 });
    expect(summary.items).toEqual({ received: 1682, inserted: 0, updated: 0 });
    expect(summary.events).toEqual({ received: 100_000, inserted: 0 });
    expect(await readStats(test.db)).toEqual(before);
  });

  it('rejects a copy with a broken rating line, naming file, line and field, and keeps the store as it was', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-ml-'));
    try {
      for (const name of ['u.genre', 'u.user', 'u.item']) fs.copyFileSync(path.join(movieLens!, name), path.join(dir, name));
      const ratings = fs.readFileSync(path.join(movieLens!, 'u.data'), 'latin1').split('\n');
      ratings[49_999] = '1\t1\tfive\t881250949';
      fs.writeFileSync(path.join(dir, 'u.data'), ratings.join('\n'), 'latin1');
      const before = await readStats(test.db);
      await expect(importData(test.db, movieLensSource(dir))).rejects.toThrow(`${path.join(dir, 'u.data')}:50000: field "rating": expected a number, got "five"`);
      expect(await readStats(test.db)).toEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!citeULike)('citeulike import (citeulike-a from ../shared/data)', () => {
  it('imports 5551 users, 16980 items with titles and tags, and 204986 library entries, once', async () => {
    const test = await openTestDatabase();
    try {
      await importData(test.db, citeULikeSource(citeULike!));
      expect(await readStats(test.db)).toMatchObject({ users: 5551, items: 16_980, events: 204_986 });
      const first = await test.db.prisma.item.findUniqueOrThrow({ where: { externalId: '0' } });
      const metadata = first.metadata as { title: string; tags: string[] };
      expect(metadata.title).toBe('The metabolic world of Escherichia coli is not small');
      const tagNames = fs.readFileSync(path.join(citeULike!, 'tags.dat'), 'utf8').split('\n');
      const firstTagIds = fs.readFileSync(path.join(citeULike!, 'item-tag.dat'), 'utf8').split('\n')[0]!.split(' ').slice(1).map(Number);
      expect(metadata.tags).toEqual(firstTagIds.map((id) => tagNames[id]));
      const again = await importData(test.db, citeULikeSource(citeULike!));
      expect(again.events.inserted).toBe(0);
      expect(again.items.inserted + again.items.updated).toBe(0);
    } finally {
      await test.dispose();
    }
  });
});
