/**
 * The web console end to end: the API server (with the console mounted) over a seeded store, driven
 * in headless Chromium (Debian's `chromium`, through playwright-core). A user signs in with a key,
 * opens a feature set's versions and drift chart, walks the lineage graph from a feature set
 * version to its training run, watches a running materialization advance, explains scores and
 * runs a query in the playground. Screenshots of every page go to test-artifacts/console/.
 * Skipped, with a message, where /usr/bin/chromium is absent (`apt-get install -y chromium`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountConsole } from '../../api/console.ts';
import { startApiServer, type RunningApiServer } from '../../api/server.ts';
import { loadConfig } from '../../config.ts';
import { DEFAULT_MATERIALIZE_SETTINGS } from '../../jobs/interfaces.ts';
import { openJobQueue } from '../../jobs/queue/openJobQueue.ts';
import { runWorker } from '../../jobs/worker.ts';
import { initBackend } from '../../ml/backend.ts';
import { createApiKey } from '../../store/apiKeys.ts';
import { query } from '../support/apiClient.ts';
import { waitFor } from '../support/materializeFixtures.ts';
import { seedServingStore } from '../support/servingFixture.ts';
import { openTestDatabase, testedMode, type TestDatabase } from '../support/testDatabase.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
const ARTIFACTS = path.resolve('test-artifacts/console');
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`console tests skipped: ${CHROMIUM} is absent (install it with \`apt-get install -y chromium\`, as .ci/run does)`);

const silent = pino({ level: 'silent' });

describe.skipIf(!hasChromium)('the web console in headless Chromium', () => {
  let test: TestDatabase;
  let queue: PgBoss;
  let server: RunningApiServer;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let origin = '';
  const keys = { read: '', admin: '' };
  const workers: { stop: AbortController; done: Promise<unknown> }[] = [];
  const pageErrors: string[] = [];
  const blocked: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const open = async (hash: string) => {
    await page.goto(`${origin}/console/${hash}`);
  };

  beforeAll(async () => {
    // The console must be built (npm ci does it); rebuild here only when its sources changed.
    execFileSync(process.execPath, ['scripts/build-console.ts', '--if-stale'], { stdio: 'inherit' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await initBackend('wasm');
    test = await openTestDatabase();
    await seedServingStore(test.db, { users: 120, items: 120 });
    const database = testedMode === 'server' ? { mode: 'server' as const, url: test.cli.env.DATABASE_URL! } : loadConfig().database;
    queue = await openJobQueue(test.db, database, { supervise: false });
    server = await startApiServer({ db: test.db, queue, log: silent, port: 0, mount: mountConsole });
    origin = new URL(server.url).origin;
    keys.read = (await createApiKey(test.db, 'web', ['read'])).key;
    keys.admin = (await createApiKey(test.db, 'platform', ['admin'])).key;
    // A second version of user_synthesized, so that its statistics carry drift against v1: a
    // third of the users grew older since v1, which moves their synthesized features.
    const users = await test.db.sql.query<{ external_id: string; metadata: { age: number } }>('SELECT external_id, metadata FROM app_user ORDER BY id LIMIT 40');
    await query(server.url, keys.admin, 'mutation($users: [EntityInput!]!) { ingestUsers(users: $users) { users { updated } } }', {
      users: users.map((user) => ({ id: user.external_id, metadata: { ...user.metadata, age: user.metadata.age + 30 } })),
    });
    await query(server.url, keys.admin, 'mutation { startMaterialization(featureSet: "user_synthesized", mode: FULL) { id } }');
    await runWorker({ db: test.db, log: silent, backend: 'wasm' }, queue, { settings: DEFAULT_MATERIALIZE_SETTINGS, exitWhenIdle: true, scheduleEveryMs: false, pollMs: 50 });

    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()) && pageErrors.push(message.text()));
    // Nothing but the API server may be reached: the console is bundled.
    await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => {
      blocked.push(route.request().url());
      return route.abort();
    });
  }, 300_000);

  afterAll(async () => {
    for (const worker of workers) worker.stop.abort();
    await Promise.all(workers.map((worker) => worker.done.catch(() => undefined)));
    await context?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    await server?.close();
    await queue?.stop({ graceful: false, close: true });
    await test?.dispose();
  });

  it('shows only a login without a key, refuses a wrong key, and signs in with a good one', async () => {
    const graphqlRequests: string[] = [];
    page.on('request', (request) => request.url().endsWith('/graphql') && graphqlRequests.push(request.url()));
    await open('#/feature-sets');
    await page.getByTestId('login').waitFor();
    expect(graphqlRequests).toEqual([]);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/user_synthesized|item_synthesized/);
    await screenshot('login');

    await page.getByLabel('API key').fill('ssk_000000000000_' + 'x'.repeat(43));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/not valid/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel('API key').fill(keys.read);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('viewer').innerText()).toMatch(/web · READ/);
    // The key is kept for the tab's session: a reload stays signed in.
    await page.reload();
    await page.getByTestId('viewer').waitFor();
    expect(await page.getByTestId('login').count()).toBe(0);
  });

  it('lists feature sets and shows a set\'s versions, statistics and a drift chart against the previous version', async () => {
    await open('#/feature-sets');
    const list = page.getByTestId('feature-set-list');
    await list.getByRole('link', { name: 'user_synthesized' }).waitFor();
    await screenshot('feature-sets');
    await list.getByRole('link', { name: 'user_synthesized' }).click();
    await page.getByTestId('version-table').waitFor();
    await expect.poll(() => page.getByTestId('version-table').locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('version-row-1').innerText()).toMatch(/PUBLISHED/);
    expect(await page.getByTestId('version-row-2').innerText()).toMatch(/PUBLISHED/);
    // The read key may not deprecate.
    expect(await page.getByTestId('deprecate-2').count()).toBe(0);
    await page.getByTestId('version-row-2').getByRole('link', { name: 'v2' }).click();
    await page.getByTestId('drift').waitFor();
    expect(await page.getByTestId('drift').innerText()).toMatch(/Against v1: \d+ entities in both.*PSI/s);
    await page.getByTestId('drift-chart').locator('canvas').waitFor();
    await page.getByTestId('mean-vector-chart').locator('canvas').waitFor();
    expect(await page.getByTestId('drift-chart').innerText()).toMatch(/v1[\s\S]*v2/);
    await screenshot('feature-set-drift');
  });

  it('walks the lineage graph from a feature set version to its training run', async () => {
    await page.getByTestId('version-row-2').getByRole('link', { name: 'lineage' }).click();
    const graph = page.getByTestId('lineage-graph');
    await graph.waitFor();
    const version = await query(server.url, keys.read, '{ featureSetVersion(featureSet: "user_synthesized", version: 2) { id modelVersion { id trainingRun { id } } } }');
    const fsv = version.featureSetVersion;
    await graph.getByTestId(`node-FEATURE_SET_VERSION-${fsv.id}`).waitFor();
    expect(await page.getByTestId('node-record').innerText()).toMatch(/user_synthesized/);
    await screenshot('lineage-feature-set-version');

    // The graph zooms and fits again.
    const fitted = await graph.getAttribute('viewBox');
    await page.getByRole('button', { name: 'Zoom out' }).click();
    expect(await graph.getAttribute('viewBox')).not.toBe(fitted);
    await page.getByRole('button', { name: 'Fit' }).click();
    expect(await graph.getAttribute('viewBox')).toBe(fitted);
    await graph.getByTestId(`node-MODEL_VERSION-${fsv.modelVersion.id}`).click();
    await expect.poll(() => page.getByTestId('node-record').innerText()).toMatch(/Model version/);
    await page.getByTestId('walk-from-here').click();
    await expect.poll(() => page.url()).toMatch(/kind=MODEL_VERSION/);
    const run = graph.getByTestId(`node-TRAINING_RUN-${fsv.modelVersion.trainingRun.id}`);
    await run.waitFor();
    await run.click();
    await expect.poll(() => page.getByTestId('node-record').innerText()).toMatch(/Training run/);
    expect(await page.getByTestId('node-record-json').innerText()).toMatch(/"status": "succeeded"/i);
    await screenshot('lineage-training-run');

    await page.getByTestId('open-record').click();
    await page.getByTestId('training-run').waitFor();
    await page.getByTestId('loss-chart').locator('canvas').waitFor();
    await page.getByTestId('metric-chart').locator('canvas').waitFor();
    await page.getByTestId('learning-rate-chart').locator('canvas').waitFor();
    expect(await page.getByTestId('loss-chart').innerText()).toMatch(/trainLoss[\s\S]*validationLoss/);
    await page.getByTestId('size-changes').waitFor();
    expect(await page.getByTestId('training-run').innerText()).toMatch(/SUCCEEDED/);
    await screenshot('training-run');
  });

  it('shows a running materialization advancing until it is published', async () => {
    await query(server.url, keys.admin, 'mutation { startMaterialization(featureSet: "item_synthesized", mode: FULL) { id } }');
    // A slow worker: 12 batches of 10 items, each held back, so that the page sees several states.
    const stop = new AbortController();
    const settings = { ...DEFAULT_MATERIALIZE_SETTINGS, batchSize: 10 };
    const done = runWorker({ db: test.db, log: silent, backend: 'wasm' }, queue, { settings, scheduleEveryMs: false, pollMs: 50, signal: stop.signal, hooks: { afterBatch: () => sleep(600) } });
    workers.push({ stop, done });
    const run = await waitFor('a running materialization', async () => {
      const data = await query(server.url, keys.read, '{ materializationRuns(featureSet: "item_synthesized", first: 1) { id status rowsTotal } }');
      const [latest] = data.materializationRuns;
      return latest?.status === 'RUNNING' && latest.rowsTotal > 0 ? latest : undefined;
    });

    await open('#/runs');
    await page.getByTestId(`materialization-run-${run.id}`).waitFor();
    await screenshot('runs');
    await page.getByTestId(`materialization-run-${run.id}`).getByRole('link', { name: `#${run.id}` }).click();
    const progress = page.getByTestId('run-progress');
    await progress.waitFor();
    const readProgress = async () => Number(await progress.getAttribute('aria-valuenow'));
    const first = await readProgress();
    expect(first).toBeLessThan(100);
    await expect.poll(readProgress, { timeout: 30_000 }).toBeGreaterThan(first);
    const second = await readProgress();
    if (second < 100) await screenshot('materialization-running');
    await expect.poll(readProgress, { timeout: 60_000 }).toBe(100);
    await expect.poll(() => page.getByTestId('materialization-run').innerText(), { timeout: 30_000 }).toMatch(/SUCCEEDED[\s\S]*item_synthesized v2 \(published\)/);
    expect(await page.getByTestId('run-rows').innerText()).toBe(`${run.rowsTotal} / ${run.rowsTotal}`);
    await screenshot('materialization-done');
    stop.abort();
    await done;
  });

  it('explains a user\'s scores with the feature group weights', async () => {
    const items = (await test.db.sql.query<{ external_id: string }>('SELECT external_id FROM item ORDER BY id LIMIT 5')).map((row) => row.external_id);
    const [user] = await test.db.sql.query<{ external_id: string }>('SELECT u.external_id FROM app_user u JOIN event e ON e.user_id = u.id GROUP BY u.external_id ORDER BY count(*) DESC, u.external_id LIMIT 1');
    await open('#/explain');
    await page.getByLabel('User id').fill(user!.external_id);
    await page.getByLabel(/Item ids/).fill(items.join(', '));
    await page.getByRole('button', { name: 'Explain' }).click();
    const explanation = page.getByTestId('explanation');
    await explanation.waitFor();
    await page.getByTestId('score-chart').locator('canvas').waitFor();
    expect(await page.getByTestId('group-weight-chart').locator('.stacked-row').count()).toBe(items.length);
    expect(await explanation.innerText()).toMatch(/user_synth/);
    await screenshot('explain');
  });

  it('runs a query in the bundled GraphiQL playground', async () => {
    await open('#/playground');
    await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
    // The first example tab asks who the key belongs to.
    await page.locator('.graphiql-query-editor').getByText('viewer').first().waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.graphiql-response').innerText(), { timeout: 30_000 }).toMatch(/"team":\s+"web"/);
    await screenshot('playground');
  });

  it('offers the deprecate action to admin keys only, and signs out', async () => {
    await page.evaluate(() => sessionStorage.clear());
    await open('#/feature-sets/user_synthesized');
    await page.getByTestId('login').waitFor();
    await page.getByLabel('API key').fill(keys.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('deprecate-1').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('deprecate-1').click();
    await expect.poll(() => page.getByTestId('version-row-1').innerText()).toMatch(/DEPRECATED/);
    await screenshot('feature-set-admin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('login').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('returns to the login when the key is revoked, and never left the server', async () => {
    const temporary = await createApiKey(test.db, 'temporary', ['read']);
    await page.getByLabel('API key').fill(temporary.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('viewer').waitFor();
    await query(server.url, keys.admin, 'mutation($prefix: ID!) { revokeApiKey(prefix: $prefix) { revokedAt } }', { prefix: temporary.record.prefix });
    await open('#/runs');
    await page.getByTestId('login').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(blocked).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe('the console route without a build', () => {
  it('answers 503 with how to build the console', async () => {
    const express = (await import('express')).default;
    const app = express();
    mountConsole(app, path.join(os.tmpdir(), 'synthstore-no-console-build'));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    try {
      const { port } = listening.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/console/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toMatch(/npm run build:console/);
    } finally {
      listening.close();
    }
  });
});
