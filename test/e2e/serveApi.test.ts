/**
 * The product end to end over HTTP: `synthstore serve` on a random port, then a client team
 * ingests, trains, materializes and queries through the API alone, on the embedded store or the
 * server database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_OPTIONS, demoDataSource } from '../../store/demo/demoData.ts';
import type { IngestItem } from '../../store/ingest/records.ts';
import { errorCodes, graphql, query } from '../support/apiClient.ts';
import { waitFor } from '../support/materializeFixtures.ts';
import { runCli } from '../support/runCli.ts';
import { SMALL_MODEL_CONFIG } from '../support/servingFixture.ts';
import { spawnServer, type ServerProcess } from '../support/spawnServer.ts';
import { createCliDatabase } from '../support/testDatabase.ts';

async function demoBatches() {
  const batches = { userFields: [] as unknown[], itemFields: [] as unknown[], users: [] as unknown[], items: [] as unknown[], events: [] as unknown[], embeddings: [] as unknown[] };
  for await (const item of demoDataSource({ ...DEFAULT_DEMO_OPTIONS, seed: 9, users: 120, items: 80, eventsPerUser: 10 }).read() as AsyncIterable<IngestItem>) {
    if (item.kind === 'field') (item.record.entityType === 'user' ? batches.userFields : batches.itemFields).push({ name: item.record.name, type: item.record.type.toUpperCase() });
    if (item.kind === 'entity') (item.record.entityType === 'user' ? batches.users : batches.items).push({ id: item.record.externalId, metadata: item.record.metadata });
    if (item.kind === 'event') {
      const { userId, itemId, type, value, occurredAt, clientEventId } = item.record;
      batches.events.push({ user: userId, item: itemId, type, value, timestamp: occurredAt.toISOString(), ...(clientEventId ? { eventId: clientEventId } : {}) });
    }
    if (item.kind === 'embedding') {
      const { entityType, externalId, modality, modelName, vector } = item.record;
      batches.embeddings.push({ entity: entityType.toUpperCase(), id: externalId, modality, model: modelName, vector });
    }
  }
  return batches;
}

const synthesizedSet = (entityType: 'user' | 'item') => ({
  name: `${entityType}_synthesized`, entityType, kind: 'synthesized', owner: 'e2e', description: 'synthesized over the API',
  source: { model: 'synthstore' }, features: [{ name: 'synthetic', type: 'vector', dimension: SMALL_MODEL_CONFIG.model.companion.synthDim }],
});

describe('synthstore serve, end to end over HTTP', () => {
  let database: Awaited<ReturnType<typeof createCliDatabase>>;
  let server: ServerProcess;
  let admin = '';

  beforeAll(async () => {
    database = await createCliDatabase();
    const created = await runCli([...database.args, 'apikey', 'create', '--team', 'e2e', '--scopes', 'read,ingest,admin', '--json'], database.env);
    expect(created.code).toBe(0);
    admin = JSON.parse(created.stdout).key;
    server = await spawnServer([...database.args, 'serve', '--port', '0'], database.env);
  }, 120_000);
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
    await database?.dispose();
  });

  it('ingests, trains, materializes and serves features, predictions, recommendations and lineage', async () => {
    const batches = await demoBatches();
    const ingested = await query(server.url, admin, `mutation($uf: [FieldInput!], $if: [FieldInput!], $users: [EntityInput!]!, $items: [EntityInput!]!) {
      u: ingestUsers(users: $users, fields: $uf) { users { inserted } }
      i: ingestItems(items: $items, fields: $if) { items { inserted } } }`, { uf: batches.userFields, if: batches.itemFields, users: batches.users, items: batches.items });
    expect(ingested.u.users.inserted).toBe(120);
    expect(ingested.i.items.inserted).toBe(80);
    const more = await query(server.url, admin, `mutation($events: [EventInput!]!, $embeddings: [EmbeddingInput!]!) {
      e: ingestEvents(events: $events) { eventsInserted } m: ingestEmbeddings(embeddings: $embeddings) { embeddingsWritten } }`, { events: batches.events, embeddings: batches.embeddings });
    expect(more.e.eventsInserted).toBe(batches.events.length);
    expect(more.m.embeddingsWritten).toBe(batches.embeddings.length);

    const training = await query(server.url, admin, 'mutation($config: JSON) { startTraining(config: $config) { id queue } }', { config: SMALL_MODEL_CONFIG });
    const jobDone = (job: { id: string; queue: string }) => waitFor(`job ${job.queue} ${job.id}`, async () => {
      const state = (await query(server.url, admin, 'query($q: String!, $id: ID!) { job(queue: $q, id: $id) { state } }', { q: job.queue, id: job.id })).job.state;
      if (state === 'failed') throw new Error(`job ${job.id} failed: ${server.stderr()}`);
      return state === 'completed' ? state : undefined;
    }, 180_000, 250);
    await jobDone(training.startTraining);
    const model = await query(server.url, admin, '{ model { name version metrics trainingRun { status epochs dataSnapshot { rowCounts } } } }');
    expect(model.model).toMatchObject({ name: 'synthstore', version: 1, trainingRun: { status: 'SUCCEEDED' } });

    for (const entityType of ['user', 'item'] as const) {
      await query(server.url, admin, 'mutation($d: JSON!) { registerFeatureSet(definition: $d) { name } }', { d: synthesizedSet(entityType) });
      const started = await query(server.url, admin, `mutation { startMaterialization(featureSet: "${entityType}_synthesized") { id queue } }`);
      await jobDone(started.startMaterialization);
      await waitFor(`${entityType} version published`, async () => {
        const runs = (await query(server.url, admin, `{ materializationRuns(featureSet: "${entityType}_synthesized") { status progress } }`)).materializationRuns;
        return runs[0]?.status === 'SUCCEEDED' ? runs[0] : undefined;
      }, 120_000, 250);
    }

    const read = await query(server.url, admin, `{
      features(featureSet: "item_synthesized", entityIds: ["i01", "i02"]) { version { version status rowCount } rows { entityId status vector } }
      predict(userId: "u001", itemIds: ["i01", "i02", "i03"]) { scores { item { id } score groupWeights { group weight } } }
      recommend(userId: "u001", k: 5) { items { item { id } score } }
      featureSetVersion(featureSet: "item_synthesized", version: 1) { upstream { nodes { kind } } }
    }`);
    expect(read.features.version).toEqual({ version: 1, status: 'PUBLISHED', rowCount: 80 });
    expect(read.features.rows.map((row: { status: string }) => row.status)).toEqual(['OK', 'OK']);
    expect(read.predict.scores).toHaveLength(3);
    expect(read.recommend.items).toHaveLength(5);
    expect(read.featureSetVersion.upstream.nodes.map((node: { kind: string }) => node.kind)).toEqual(expect.arrayContaining(['MATERIALIZATION_RUN', 'MODEL_VERSION', 'TRAINING_RUN', 'DATA_SNAPSHOT']));

    // A brand-new item, known only by its metadata, is scored at once.
    await query(server.url, admin, 'mutation { ingestItems(items: [{ id: "fresh", metadata: { category: "books" } }]) { items { inserted } } }');
    const fresh = await query(server.url, admin, '{ predict(userId: "u001", itemIds: ["fresh"]) { scores { score itemFeatures } } }');
    expect(fresh.predict.scores[0].itemFeatures).toBe('COMPUTED');
  });

  it('answers with stable codes and never leaks internals', async () => {
    const anonymous = await graphql(server.url, undefined, '{ featureSets { name } }');
    expect(anonymous.status).toBe(401);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    // The embedded store is locked by the server: keys are made over the API, by an admin.
    const readOnly = (await query(server.url, admin, 'mutation { createApiKey(team: "viewer", scopes: [READ]) { secret apiKey { prefix scopes } } }')).createApiKey.secret;
    expect(errorCodes(await graphql(server.url, readOnly, 'mutation { startTraining { id } }'))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(server.url, readOnly, '{ predict(userId: "nobody", itemIds: ["i01"]) { scores { score } } }'))).toEqual(['NOT_FOUND']);
    const bad = await graphql(server.url, admin, 'mutation { ingestEvents(events: [{ user: "u001", item: "nope", type: "click", timestamp: "2025-01-01T00:00:00Z" }]) { eventsInserted } }');
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(bad.errors)).not.toMatch(/SELECT|INSERT|node_modules|\.ts:\d+/);
    const prefix = (await query(server.url, admin, '{ apiKeys { prefix team } }')).apiKeys.find((key: { team: string }) => key.team === 'viewer').prefix;
    await query(server.url, admin, 'mutation($p: ID!) { revokeApiKey(prefix: $p) { revokedAt } }', { p: prefix });
    expect(errorCodes(await graphql(server.url, readOnly, '{ viewer { team } }'))).toEqual(['UNAUTHENTICATED']);
  });
});
