import type { PgBoss } from 'pg-boss';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApiServer } from '../../api/server.ts';
import { DEFAULT_MATERIALIZE_SETTINGS } from '../../jobs/interfaces.ts';
import { openJobQueue } from '../../jobs/queue/openJobQueue.ts';
import { runWorker } from '../../jobs/worker.ts';
import { initBackend } from '../../ml/backend.ts';
import { createApiKey } from '../../store/apiKeys.ts';
import { loadConfig } from '../../config.ts';
import { errorCodes, graphql, query } from '../support/apiClient.ts';
import { countingDatabase } from '../support/countingDatabase.ts';
import { seedServingStore } from '../support/servingFixture.ts';
import { openTestDatabase, testedMode, type TestDatabase } from '../support/testDatabase.ts';

const silent = pino({ level: 'silent' });

describe('the GraphQL API', () => {
  let test: TestDatabase;
  let queue: PgBoss;
  let server: RunningApiServer;
  let counting: ReturnType<typeof countingDatabase>;
  const keys = { read: '', ingest: '', admin: '' };
  let itemIds: string[] = [];
  let userId = '';

  beforeAll(async () => {
    await initBackend('wasm');
    test = await openTestDatabase();
    await seedServingStore(test.db, { users: 120, items: 120 });
    const database = testedMode === 'server' ? { mode: 'server' as const, url: test.cli.env.DATABASE_URL! } : loadConfig().database;
    queue = await openJobQueue(test.db, database, { supervise: false });
    counting = countingDatabase(test.db);
    // A resolution of "latest" outlives the whole file, so that counting statements never catches its renewal.
    server = await startApiServer({ db: counting.db, queue, log: silent, port: 0, featureReads: { resolveTtlMs: 600_000 } });
    keys.read = (await createApiKey(test.db, 'web', ['read'])).key;
    keys.ingest = (await createApiKey(test.db, 'pipeline', ['ingest'])).key;
    keys.admin = (await createApiKey(test.db, 'platform', ['admin'])).key;
    itemIds = (await test.db.sql.query<{ external_id: string }>('SELECT external_id FROM item ORDER BY id LIMIT 100')).map((row) => row.external_id);
    const [busiest] = await test.db.sql.query<{ external_id: string }>(
      'SELECT u.external_id FROM app_user u JOIN event e ON e.user_id = u.id GROUP BY u.external_id ORDER BY count(*) DESC, u.external_id LIMIT 1',
    );
    userId = busiest!.external_id;
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await queue?.stop({ graceful: false, close: true });
    await test?.dispose();
  });

  it('refuses requests without a valid key, and mutations outside the key scopes', async () => {
    const anonymous = await graphql(server.url, undefined, '{ featureSets { name } }');
    expect(anonymous.status).toBe(401);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.data ?? null).toBeNull();
    const forged = await graphql(server.url, 'ssk_000000000000_' + 'x'.repeat(43), '{ viewer { team } }');
    expect(errorCodes(forged)).toEqual(['UNAUTHENTICATED']);
    expect(await query(server.url, keys.read, '{ viewer { team scopes } }')).toEqual({ viewer: { team: 'web', scopes: ['READ'] } });
    const forbidden = await graphql(server.url, keys.read, 'mutation { ingestUsers(users: [{ id: "x" }]) { users { inserted } } }');
    expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
    const notAdmin = await graphql(server.url, keys.ingest, '{ apiKeys { team } }');
    expect(errorCodes(notAdmin)).toEqual(['FORBIDDEN']);
  });

  it('reads features of 100 items in a constant number of statements, with their entities', async () => {
    const text = `query($ids: [ID!]!) { features(featureSet: "item_synthesized", entityIds: $ids) {
      version { version status } missing rows { entityId status vector } } items(ids: $ids) { id metadata } }`;
    counting.reset();
    const ten = await query(server.url, keys.read, text, { ids: itemIds.slice(0, 10) });
    const forTen = counting.count();
    counting.reset();
    const hundred = await query(server.url, keys.read, text, { ids: itemIds });
    const forHundred = counting.count();
    expect(hundred.features.rows).toHaveLength(100);
    expect(hundred.features.rows.every((row: { status: string; vector: number[] }) => row.status === 'OK' && row.vector.length === 8)).toBe(true);
    expect(hundred.items.map((item: { id: string }) => item.id)).toEqual(itemIds);
    expect(ten.features.version).toEqual({ version: 1, status: 'PUBLISHED' });
    expect(forHundred).toBe(forTen);
    expect(forHundred).toBeLessThanOrEqual(6);
  });

  it('answers a repeated features read from memory, without any statement', async () => {
    const text = 'query($ids: [ID!]!) { features(featureSet: "item_synthesized", entityIds: $ids) { missing rows { entityId status vector } } }';
    const first = await query(server.url, keys.read, text, { ids: [itemIds[3], 'no-such-item'] });
    counting.reset();
    const again = await query(server.url, keys.read, text, { ids: [itemIds[3], 'no-such-item'] });
    expect(counting.count()).toBe(0);
    expect(again).toEqual(first);
    expect(again.features.rows.map((row: { status: string }) => row.status)).toEqual(['OK', 'MISSING']);
    expect(again.features.missing).toEqual(['no-such-item']);
  });

  it('marks every answer uncacheable: they hold data only an API key may read', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.read}` },
      body: JSON.stringify({ query: '{ viewer { team } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('etag')).toBeNull();
  });

  it('answers bodies that cannot reach GraphQL with a status and an error naming the problem', async () => {
    const post = (body: string, contentType = 'application/json') => fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${keys.read}` },
      body,
    });
    const malformed = await post('{"query": "{ viewer { team } }"');
    expect(malformed.status).toBe(400);
    const malformedBody = await malformed.json() as { errors: { message: string; extensions: { code: string } }[] };
    expect(malformedBody.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(malformedBody.errors[0]!.message).toMatch(/not valid JSON/);
    const oversized = await post(JSON.stringify({ query: '{ viewer { team } }', variables: { padding: 'x'.repeat(33 * 2 ** 20) } }));
    expect(oversized.status).toBe(413);
    expect((await oversized.json() as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const notJson = await post('query { viewer { team } }', 'text/plain');
    expect(notJson.status).toBe(400);
    // A GET query (Apollo's CSRF prevention asks for a non-simple header) still works.
    const viaGet = await fetch(`${server.url}?query=${encodeURIComponent('{ viewer { team } }')}`, {
      headers: { authorization: `Bearer ${keys.read}`, 'apollo-require-preflight': 'true' },
    });
    expect(viaGet.status).toBe(200);
    expect(await viaGet.json()).toEqual({ data: { viewer: { team: 'web' } } });
  });

  it('predicts, recommends, explains and finds similar items', async () => {
    const data = await query(server.url, keys.read, `query($user: ID!, $items: [ID!]!, $item: ID!) {
      predict(userId: $user, itemIds: $items) { model { name version } userFeatures scores { item { id } score itemFeatures groupWeights { group weight } } }
      recommend(userId: $user, k: 5) { candidates items { item { id } score retrievalScore } }
      combinedVector(userId: $user, itemId: $item) { vector score groupWeights { group weight } }
      similarItems(itemId: $item, featureSet: "item_synthesized", k: 3) { item { id } distance }
    }`, { user: userId, items: itemIds.slice(0, 20), item: itemIds[0] });
    expect(data.predict.model).toEqual({ name: 'synthstore', version: 1 });
    expect(data.predict.scores).toHaveLength(20);
    for (const score of data.predict.scores) {
      expect(score.score).toBeGreaterThan(0);
      expect(score.score).toBeLessThan(1);
      expect(score.groupWeights.reduce((sum: number, g: { weight: number }) => sum + g.weight, 0)).toBeCloseTo(1, 4);
    }
    const recommended = data.recommend.items.map((item: { score: number }) => item.score);
    expect(recommended).toHaveLength(5);
    expect(recommended).toEqual([...recommended].sort((a, b) => b - a));
    expect(data.combinedVector.vector.length).toBeGreaterThan(0);
    expect(data.similarItems).toHaveLength(3);
    expect(data.similarItems.map((s: { item: { id: string } }) => s.item.id)).not.toContain(itemIds[0]);
  });

  it('loads the records of scored items only when a field beyond id is asked, all in one statement', async () => {
    const ids = 'query($user: ID!) { recommend(userId: $user, k: 5) { items { item { id } } } }';
    const records = 'query($user: ID!) { recommend(userId: $user, k: 5) { items { item { id metadata createdAt } } } }';
    // Twice: the first recommendation of a version also starts loading its in-memory retrieval index (two statements), which must not land in a count.
    await query(server.url, keys.read, ids, { user: userId });
    await query(server.url, keys.read, ids, { user: userId });
    counting.reset();
    const idsOnly = await query(server.url, keys.read, ids, { user: userId });
    const forIds = counting.count();
    counting.reset();
    const withRecords = await query(server.url, keys.read, records, { user: userId });
    const forRecords = counting.count();
    expect(forRecords).toBe(forIds + 1);
    const itemsOf = (data: Record<string, any>) => data.recommend.items.map((entry: { item: { id: string } }) => entry.item.id);
    expect(itemsOf(withRecords)).toEqual(itemsOf(idsOnly));
    const [stored] = await test.db.sql.query<{ metadata: unknown }>('SELECT metadata FROM item WHERE external_id = $1', [itemsOf(withRecords)[0]]);
    expect(withRecords.recommend.items[0].item.metadata).toEqual(stored!.metadata);
    expect(withRecords.recommend.items.every((entry: { item: { createdAt: string } }) => !Number.isNaN(Date.parse(entry.item.createdAt)))).toBe(true);
  });

  it('rejects a bad ingest batch whole, naming the element and field', async () => {
    const before = await test.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
    const bad = await graphql(server.url, keys.ingest, `mutation($users: [EntityInput!]!) { ingestUsers(users: $users) { users { inserted } } }`, {
      users: [{ id: 'api-u1', metadata: { age: 30 } }, { id: 'api-u2', metadata: { age: 31 } }, { id: 'api-u3', metadata: { age: 'old' } }],
    });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.extensions).toMatchObject({ index: 2, field: 'metadata.age' });
    expect(bad.errors![0]!.message).toMatch(/users\[2\]/);
    const after = await test.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
    expect(after[0]!.n).toBe(before[0]!.n);
    const good = await query(server.url, keys.ingest, `mutation($users: [EntityInput!]!) { ingestUsers(users: $users) { users { received inserted } } }`, {
      users: [{ id: 'api-u1', metadata: { age: 30 } }],
    });
    expect(good.ingestUsers.users).toEqual({ received: 1, inserted: 1 });
  });

  it('walks lineage both ways and refuses over-deep queries and unknown names with stable codes', async () => {
    const data = await query(server.url, keys.read, `{
      featureSetVersion(featureSet: "item_synthesized", version: 1) { upstream { nodes { kind } } }
      model(name: "synthstore") { downstream { nodes { kind id } } trainingRun { status dataSnapshot { id } } }
    }`);
    const upstreamKinds = data.featureSetVersion.upstream.nodes.map((node: { kind: string }) => node.kind);
    expect(upstreamKinds).toEqual(expect.arrayContaining(['MODEL_VERSION', 'TRAINING_RUN', 'DATA_SNAPSHOT']));
    expect(data.model.downstream.nodes.map((node: { kind: string }) => node.kind)).toContain('FEATURE_SET_VERSION');
    expect(data.model.trainingRun.status).toBe('SUCCEEDED');

    const missing = await graphql(server.url, keys.read, '{ features(featureSet: "nope", entityIds: ["a"]) { missing } }');
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
    const deep = 'versions { featureSet { '.repeat(7) + 'name' + ' } }'.repeat(7);
    const tooDeep = await graphql(server.url, keys.read, `{ featureSets { ${deep} } }`);
    const unknownField = await graphql(server.url, keys.read, '{ featureSets { nonsense } }');
    expect(errorCodes(unknownField)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(errorCodes(tooDeep)[0]).toBe('QUERY_TOO_COMPLEX');
    expect(JSON.stringify(tooDeep.errors)).not.toMatch(/SELECT|at .*\.ts/);
  });

  it('queues a materialization that a worker runs to a new published version', async () => {
    const started = await query(server.url, keys.admin, 'mutation { startMaterialization(featureSet: "item_synthesized", mode: INCREMENTAL) { id queue state } }');
    expect(started.startMaterialization.state).toBe('created');
    await runWorker({ db: test.db, log: silent, backend: 'wasm' }, queue, { settings: DEFAULT_MATERIALIZE_SETTINGS, exitWhenIdle: true, scheduleEveryMs: false, pollMs: 50 });
    const job = await query(server.url, keys.read, 'query($id: ID!, $queue: String!) { job(queue: $queue, id: $id) { state } }', { id: started.startMaterialization.id, queue: started.startMaterialization.queue });
    expect(job.job.state).toBe('completed');
    const runs = await query(server.url, keys.read, '{ materializationRuns(featureSet: "item_synthesized") { status mode progress featureSetVersion { version status } } }');
    expect(runs.materializationRuns[0]).toMatchObject({ status: 'SUCCEEDED', mode: 'INCREMENTAL', progress: 1, featureSetVersion: { version: 2, status: 'PUBLISHED' } });
    // Nothing changed, so version 2 is a delta that reads every row from version 1, its row base.
    const versions = await query(server.url, keys.read, `{
      delta: featureSetVersion(featureSet: "item_synthesized", version: 2) { rowBaseVersion { version } upstream(maxDepth: 1) { nodes { kind } } }
      full: featureSetVersion(featureSet: "item_synthesized", version: 1) { rowBaseVersion { version } }
    }`);
    expect(versions.delta.rowBaseVersion).toEqual({ version: 1 });
    expect(versions.delta.upstream.nodes.map((node: { kind: string }) => node.kind)).toContain('FEATURE_SET_VERSION');
    expect(versions.full.rowBaseVersion).toBeNull();
  });
});
