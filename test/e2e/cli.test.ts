import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrations } from '../../store/migrate.ts';
import { spawnServer } from '../support/spawnServer.ts';
import { runCli } from '../support/runCli.ts';
import { sharedDataSet } from '../support/sharedData.ts';
import { smallDataSet, writeJsonlFixture } from '../support/jsonlFixture.ts';
import { createCliDatabase, testedMode } from '../support/testDatabase.ts';

type Store = Awaited<ReturnType<typeof createCliDatabase>>;

async function stats(store: Store): Promise<Record<string, number>> {
  const result = await runCli([...store.args, 'stats', '--json'], store.env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, number>;
}

describe(`synthstore CLI (${testedMode})`, () => {
  let store: Store;
  beforeEach(async () => {
    store = await createCliDatabase();
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('imports a JSONL directory and reports the counts', async () => {
    const dir = writeJsonlFixture(smallDataSet());
    const result = await runCli([...store.args, 'import', 'jsonl', dir, '--json'], store.env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ format: 'jsonl', users: { inserted: 3 }, events: { inserted: 5 } });
    expect(await stats(store)).toMatchObject({ users: 3, items: 4, events: 5, embeddings: 2, modalities: 1 });
  });

  it('exits non-zero on a bad events line 3, naming the line and field, and leaves stats unchanged', async () => {
    await runCli([...store.args, 'import', 'jsonl', writeJsonlFixture(smallDataSet())], store.env);
    const before = await stats(store);
    const dir = writeJsonlFixture({
      events: [
        { user: 'u1', item: 'i3', type: 'click', timestamp: '2025-02-01T00:00:00Z' },
        { user: 'u2', item: 'i4', type: 'click', timestamp: '2025-02-01T00:00:00Z' },
        { user: 'u3', item: 'i1', type: 'rating', value: 'great', timestamp: '2025-02-01T00:00:00Z' },
      ],
    });
    const result = await runCli([...store.args, 'import', 'jsonl', path.join(dir, 'events.jsonl')], store.env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `synthstore: error: ${path.join(dir, 'events.jsonl')}:3: field "value": expected a finite number, got great`,
    );
    expect(await stats(store)).toEqual(before);
  });

  it('keeps data sets with overlapping ids apart with --id-prefix', async () => {
    const dir = writeJsonlFixture(smallDataSet());
    await runCli([...store.args, 'import', 'jsonl', dir], store.env);
    const prefixed = await runCli([...store.args, 'import', 'jsonl', dir, '--id-prefix', 'copy:', '--json'], store.env);
    expect(prefixed.code).toBe(0);
    expect(JSON.parse(prefixed.stdout)).toMatchObject({ users: { inserted: 3, updated: 0 }, items: { inserted: 4, updated: 0 }, events: { inserted: 5 } });
    expect(await stats(store)).toMatchObject({ users: 6, items: 8, events: 10, embeddings: 4 });
  });

  it('names an unknown format and a missing directory', async () => {
    const unknown = await runCli([...store.args, 'import', 'csv', '/tmp'], store.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown import format "csv": expected one of movielens, citeulike, jsonl');
    const missing = await runCli([...store.args, 'import', 'movielens', '/nonexistent/ml'], store.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/ml is not a directory');
  });

  it('generates demo data idempotently, and writes the same data set as JSONL', async () => {
    const args = ['demo-data', '--seed', '7', '--users', '60', '--items', '40', '--events-per-user', '8'];
    const first = await runCli([...store.args, ...args, '--json'], store.env);
    expect(first.code).toBe(0);
    const counts = await stats(store);
    expect(counts.users).toBe(60);
    expect(counts.items).toBe(40);
    expect(counts.events).toBeGreaterThan(100);
    expect(counts.embeddings).toBeGreaterThan(40);
    await runCli([...store.args, ...args], store.env);
    expect(await stats(store)).toEqual(counts);

    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-demo-'));
    const written = await runCli([...args, '--out', out], store.env);
    expect(written.code).toBe(0);
    const reimport = await runCli([...store.args, 'import', 'jsonl', out, '--json'], store.env);
    expect(reimport.code).toBe(0);
    const summary = JSON.parse(reimport.stdout);
    expect(summary.users).toEqual({ received: 60, inserted: 0, updated: 0 });
    expect(summary.events.inserted).toBe(0);
    expect(summary.embeddings.written).toBe(0);
  });

  it('trains a model on the store and names what is wrong in a training config', async () => {
    await runCli([...store.args, 'demo-data', '--seed', '5', '--users', '80', '--items', '50', '--events-per-user', '10'], store.env);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-train-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ training: {}, target: { task: 'ranking' } }));
    const refused = await runCli([...store.args, 'train', '--config', bad], store.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--config ${bad}: target.task`);

    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify({ name: 'cli-model', training: { epochs: 2 } }));
    const trained = await runCli([...store.args, 'train', '--config', good, '--json'], store.env);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const result = JSON.parse(trained.stdout);
    expect(result).toMatchObject({ modelName: 'cli-model', modelVersion: 1, backend: 'wasm' });
    expect(result.epochs.length).toBeGreaterThan(0);
    expect(await stats(store)).toMatchObject({ models: 1, trainingRuns: 1 });
  });

  it.skipIf(!sharedDataSet('ml-100k'))('imports MovieLens 100K: 943 users, 1682 items, 100000 events; again changes nothing', async () => {
    const dir = sharedDataSet('ml-100k')!;
    const first = await runCli([...store.args, 'import', 'movielens', dir], store.env);
    expect(first.code).toBe(0);
    const counts = await stats(store);
    expect(counts).toMatchObject({ users: 943, items: 1682, events: 100_000 });
    const second = await runCli([...store.args, 'import', 'movielens', dir], store.env);
    expect(second.code).toBe(0);
    expect(await stats(store)).toEqual(counts);
  });
});

describe.skipIf(testedMode === 'server')('a fresh embedded store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-fresh-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks for migrations first, then migrates once', async () => {
    const db = ['--db', path.join(dir, 'db')];
    const names = (await readMigrations()).map((migration) => migration.name);
    const unmigrated = await runCli([...db, 'stats']);
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stderr).toContain(`has ${names.length} pending migration(s) (${names.join(', ')}): run \`synthstore migrate\` first`);
    const first = await runCli([...db, 'migrate', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toEqual(names);
    const second = await runCli([...db, 'migrate', '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ applied: [], alreadyApplied: names });
  });

  it('`start` migrates, fills an empty store with demo data, trains and materializes, reuses it all the second time, and serves it', async () => {
    const env = { SYNTHSTORE_DB_DIR: path.join(dir, 'db') };
    const first = await runCli(['start', '--no-serve'], env);
    expect(first.code).toBe(0);
    const counts = JSON.parse(first.stdout);
    expect(counts.users).toBeGreaterThan(0);
    expect(counts.events).toBeGreaterThan(0);
    // A trained model, and one published version of its synthesized features per entity type.
    expect(counts).toMatchObject({ models: 1, trainingRuns: 1, featureSets: 2, featureSetVersions: 2, materializationRuns: 2 });
    expect(counts.featureValues).toBe(counts.users + counts.items);
    const second = await runCli(['start', '--no-serve'], { ...env, SYNTHSTORE_LOG_LEVEL: 'info' });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(counts);
    expect(second.stderr).toContain('reusing it');

    // Serving: the banner's key and example query work as printed, twice with the same key.
    for (let run = 0; run < 2; run++) {
      const server = await spawnServer(['start', '--port', '0'], env);
      try {
        const key = /API key \(team demo[^)]*\): (\S+)/.exec(server.stdout())![1]!;
        const body = /-d '(.+)'$/m.exec(server.stdout())![1]!;
        const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
        const answer = (await response.json()) as { data: { recommend: { items: { score: number }[] } } };
        expect(answer.data.recommend.items).toHaveLength(5);
        const consoleUrl = /Web console: (\S+)/.exec(server.stdout())![1]!.replace('//localhost:', '//127.0.0.1:');
        expect(await fetch(consoleUrl).then((page) => page.text())).toMatch(/<div id="root">/);
        if (run === 1) expect(fs.readFileSync(path.join(dir, 'api-key'), 'utf8').trim()).toBe(key);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    }
  }, 600_000);
});
