import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { createCliDatabase, testedMode } from '../support/testDatabase.ts';

describe(`feature sets from the command line (${testedMode})`, () => {
  let store: Awaited<ReturnType<typeof createCliDatabase>>;
  let dir: string;
  const cli = (...args: string[]) => runCli([...store.args, ...args], store.env);
  beforeAll(async () => {
    store = await createCliDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-fs-'));
    const demo = await cli('demo-data', '--seed', '2', '--users', '40', '--items', '120', '--events-per-user', '5');
    expect(demo.code).toBe(0);
  });
  afterAll(async () => {
    await store.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('registers a definition, materializes it into a published version, and lists it', async () => {
    const file = path.join(dir, 'prices.json');
    const definition = {
      name: 'item_prices', entityType: 'item', kind: 'raw', owner: 'catalog',
      source: { fields: ['price', 'category'] },
      features: [{ name: 'price', type: 'numeric' }, { name: 'category', type: 'categorical' }],
    };
    fs.writeFileSync(file, JSON.stringify(definition));
    const registered = await cli('feature-sets', 'register', file, '--json');
    expect(registered.stderr).toBe('');
    expect(JSON.parse(registered.stdout)).toEqual({ name: 'item_prices', outcome: 'created', changedFields: [] });

    const materialized = await cli('materialize', '--feature-set', 'item_prices', '--json');
    expect(materialized.code).toBe(0);
    expect(JSON.parse(materialized.stdout)).toMatchObject({ featureSet: 'item_prices', version: 1, status: 'succeeded', rowsDone: 120, rowsTotal: 120 });

    const listed = await cli('feature-sets', '--json');
    const [set] = JSON.parse(listed.stdout);
    expect(set).toMatchObject({ name: 'item_prices', latestVersion: 1 });
    expect(set.versions).toEqual([expect.objectContaining({ version: 1, status: 'published', rowCount: 120 })]);

    fs.writeFileSync(file, JSON.stringify({ ...definition, features: [{ name: 'price', type: 'numeric' }] }));
    const changed = await cli('feature-sets', 'register', file, '--json');
    expect(JSON.parse(changed.stdout).outcome).toBe('schema_changed');
  });

  it('names what is wrong in a definition', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'Bad Name', entityType: 'item', kind: 'raw', owner: 'x', source: { fields: ['price'] }, features: [] }));
    const refused = await cli('feature-sets', 'register', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/name: expected a lowercase identifier/);
    expect(refused.stderr).toMatch(/features: expected at least one feature/);
  });
});
