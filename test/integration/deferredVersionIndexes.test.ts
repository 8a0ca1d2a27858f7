import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMaterialization } from '../../jobs/materialize/runMaterialization.ts';
import type { Database, SqlClient } from '../../store/db/Database.ts';
import { buildVersionIndexes, maintainVectorIndexes } from '../../store/featureSets/versionIndexes.ts';
import type { FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import { featureVectorIndexName, hasFeatureVectorIndexes } from '../../store/sql/featureVectorIndex.ts';
import { explainFeatureVectorSearch, searchFeatureVectors, type VectorSearch } from '../../store/sql/searchFeatureVectors.ts';
import { FAST_SETTINGS, seedItems } from '../support/materializeFixtures.ts';
import { openTestDatabase, testedMode, type TestDatabase } from '../support/testDatabase.ts';
import { vectorVersionFixture, type VectorVersionFixture } from '../support/vectorVersionFixture.ts';

const DIM = 8;
const ITEMS = 300;
const METRICS = ['cosine', 'inner_product'] as const;

/**
 * Vector versions are published before their HNSW indexes exist and indexed afterwards
 * (store/featureSets/versionIndexes.ts): until then every search of them is an exact scan, and a
 * build that never happened (the publisher died) is made by the next maintenance.
 */
describe('vector indexes built after the publish', () => {
  let test: TestDatabase;
  let fixture: VectorVersionFixture;
  let keys: readonly string[];
  const randomVector = () => fixture.randomVector();

  beforeAll(async () => {
    test = await openTestDatabase();
    fixture = await vectorVersionFixture(test.db, { featureSet: 'item_late', model: 'late-model', dimension: DIM, items: ITEMS, models: 2 });
    keys = fixture.keys;
  });
  afterAll(async () => {
    await test.dispose();
  });

  const publishUnindexed = (vectors: ReadonlyMap<string, number[]>, modelVersionId = fixture.modelIds[0]!): Promise<FeatureSetVersionInfo> =>
    fixture.publish(vectors, { modelVersionId, indexes: 'later' });

  const search = (version: FeatureSetVersionInfo, query: number[], metric: (typeof METRICS)[number], overrides: Partial<VectorSearch> = {}): VectorSearch => ({
    versionId: version.id, dimension: DIM, entityType: 'item', query, k: 10, metric, efSearch: 400, ...overrides,
  });

  async function expectExactAnswers(version: FeatureSetVersionInfo, vectors: ReadonlyMap<string, number[]>): Promise<void> {
    for (const metric of METRICS) {
      for (const key of keys.slice(0, 5)) {
        const query = vectors.get(key)!;
        const found = await searchFeatureVectors(test.db, search(version, query, metric));
        const exact = await searchFeatureVectors(test.db, search(version, query, metric, { approximate: false }));
        expect(found.map((match) => match.entityKey)).toEqual(exact.map((match) => match.entityKey));
      }
    }
  }

  it('publishes without indexes, searches exactly meanwhile (a delta version too), and builds them once per version', async () => {
    const first = fixture.freshVectors();
    const v1 = await publishUnindexed(first);
    expect(v1.status).toBe('published');
    expect(await hasFeatureVectorIndexes(test.db.sql, v1.id, METRICS)).toBe(false);
    const plan = await explainFeatureVectorSearch(test.db, search(v1, first.get(keys[0]!)!, 'cosine'));
    expect(plan).not.toContain(featureVectorIndexName(v1.id, 'cosine'));
    await expectExactAnswers(v1, first);

    // A small change is searched through v1's indexes even while v1 has none yet: exactly, too.
    const second = new Map(first);
    for (const key of keys.slice(0, 3)) second.set(key, randomVector());
    const v2 = await publishUnindexed(second);
    expect(v2.annBaseVersionId).toBe(v1.id);
    await expectExactAnswers(v2, second);

    // One build per version: a second caller that will not wait is told it is busy.
    const building = buildVersionIndexes(test.db, v1.id, { wait: true });
    expect(await buildVersionIndexes(test.db, v1.id, { wait: false })).toBe('busy');
    expect(await building).toBe('built');
    expect(await buildVersionIndexes(test.db, v1.id, { wait: false })).toBe('ready');
    expect(await buildVersionIndexes(test.db, v2.id, { wait: false })).toBe('none'); // searched through v1's
    expect(await hasFeatureVectorIndexes(test.db.sql, v1.id, METRICS)).toBe(true);
    await expectExactAnswers(v1, first);
    await expectExactAnswers(v2, second);
  });

  it('a version whose publisher never built its indexes gets them from the next maintenance, which leaves the session as it found it', async () => {
    const vectors = fixture.freshVectors();
    const v3 = await publishUnindexed(vectors, fixture.modelIds[1]); // another model version: indexes of its own
    expect(v3.annBaseVersionId).toBeNull();
    const memoryBefore = await maintenanceWorkMem(test.db.sql);
    const maintained = await maintainVectorIndexes(test.db, null, { wait: false });
    expect(maintained.built).toEqual([v3.id]);
    expect(await hasFeatureVectorIndexes(test.db.sql, v3.id, METRICS)).toBe(true);
    expect(await maintenanceWorkMem(test.db.sql)).toBe(memoryBefore);
    expect((await maintainVectorIndexes(test.db, null, { wait: false })).built).toEqual([]);
    await expectExactAnswers(v3, vectors);
  });

  it.runIf(testedMode === 'server')('skips a version whose build another connection holds', async () => {
    const vectors = fixture.freshVectors();
    const v4 = await publishUnindexed(vectors, fixture.modelIds[0]);
    const outcome = await test.db.withSession(async (other) => {
      await other.query('SELECT pg_advisory_lock(748213, $1)', [v4.id]);
      try {
        return await buildVersionIndexes(test.db, v4.id, { wait: false });
      } finally {
        await other.query('SELECT pg_advisory_unlock(748213, $1)', [v4.id]);
      }
    });
    expect(outcome).toBe('busy');
    expect(await buildVersionIndexes(test.db, v4.id, { wait: false })).toBe('built');
  });

  it('a materialization run is published and succeeded before its indexes are built, and returns once they are', async () => {
    const sets = await seedItems(test.db, 60, 'late');
    const seen: { status: string; run: string }[] = [];
    const db = observingIndexBuilds(test.db, async () => {
      const [row] = await test.db.sql.query<{ status: string; run: string }>(
        `SELECT v.status::text AS status, r.status::text AS run FROM materialization_run r JOIN feature_set_version v ON v.id = r.feature_set_version_id ORDER BY r.id DESC LIMIT 1`,
      );
      seen.push(row!);
    });
    const result = await runMaterialization({ db, log: pino({ level: 'silent' }), backend: 'cpu' }, { featureSet: sets.embedding, mode: 'full' }, { worker: 'late', settings: FAST_SETTINGS });
    expect(result.run.status).toBe('succeeded');
    expect(seen).toEqual([{ status: 'published', run: 'succeeded' }]);
    expect(await hasFeatureVectorIndexes(test.db.sql, result.plan.version.id, ['cosine'])).toBe(true);
  });
});

async function maintenanceWorkMem(sql: SqlClient): Promise<string> {
  const [row] = await sql.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'maintenance_work_mem'`);
  return row!.setting;
}

/** `db`, calling `onBuild` just before each CREATE INDEX CONCURRENTLY runs. */
function observingIndexBuilds(db: Database, onBuild: () => Promise<void>): Database {
  const observe = (session: SqlClient): SqlClient => ({
    query: (text, params) => session.query(text, params),
    async exec(text) {
      if (/^\s*CREATE INDEX CONCURRENTLY/i.test(text)) await onBuild();
      await session.exec(text);
    },
  });
  return { ...db, withSession: (work) => db.withSession((session) => work(observe(session))) };
}
