import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDependencies } from '../../jobs/interfaces.ts';
import { MAX_DELTA_SHARE } from '../../jobs/materialize/chooseRowBase.ts';
import { runMaterialization, type MaterializationResult } from '../../jobs/materialize/runMaterialization.ts';
import { makeRandom } from '../../ml/model/seeds.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { getOnlineFeatures, getPointInTimeFeatures } from '../../store/featureSets/getFeatures.ts';
import { maintainVectorIndexes } from '../../store/featureSets/versionIndexes.ts';
import { createPendingVersion, deprecateVersion, getVersion, publishVersion, type FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import { countStoredRows } from '../../store/sql/countChangedEntities.ts';
import { featureVectorIndexName } from '../../store/sql/featureVectorIndex.ts';
import { lineageNeighbours } from '../../store/registry/lineage.ts';
import { registerModality } from '../../store/sql/modalities.ts';
import { countVersionVectors, readVersionVectors } from '../../store/sql/readVersionVectors.ts';
import { searchFeatureVectors, type VectorSearch } from '../../store/sql/searchFeatureVectors.ts';
import { upsertEmbeddings } from '../../store/sql/upsertEmbeddings.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';
import { layoutRowsSql, readVersionRowLayout } from '../../store/sql/versionRows.ts';
import { FAST_SETTINGS } from '../support/materializeFixtures.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

const N = 400;
const DIM = 8;
const key = (i: number) => `delta-item-${String(i).padStart(4, '0')}`;

/**
 * Incremental runs make delta versions (store/sql/versionRows.ts): each must read, through every
 * reader, exactly as a full copy of its rows would. The reference full copy is a version of a
 * mirror feature set (same schema) holding the delta version's merged rows as its own.
 */
describe('delta versions', () => {
  let test: TestDatabase;
  let deps: JobDependencies;
  let modalityId: number;
  const random = makeRandom(11);
  const randomVector = () => Array.from({ length: DIM }, () => random() * 2 - 1);
  let round = 0;

  beforeAll(async () => {
    test = await openTestDatabase();
    deps = { db: test.db, log: pino({ level: 'silent' }), backend: 'cpu' };
    const all = Array.from({ length: N }, (_, i) => i);
    await upsertEntities(test.db.sql, 'item', all.map((i) => ({ externalId: key(i), metadata: { price: i, category: `c${i % 7}` } })));
    modalityId = (await registerModality(test.db.sql, { entityType: 'item', name: 'photo', modelName: 'test-cnn', dimension: DIM })).id;
    await upsertEmbeddings(test.db.sql, { id: modalityId, entityType: 'item' }, all.map((i) => ({ externalId: key(i), vector: randomVector() })));
    for (const prefix of ['delta', 'mirror']) {
      await registerFeatureSet(test.db, {
        name: `${prefix}_raw`, entityType: 'item', kind: 'raw', owner: 'team-recs', source: { fields: ['price', 'category'] },
        features: [{ name: 'price', type: 'numeric' }, { name: 'category', type: 'categorical' }],
      });
      await registerFeatureSet(test.db, {
        name: `${prefix}_photo`, entityType: 'item', kind: 'embedding', owner: 'team-recs', source: { modality: 'photo' },
        features: [{ name: 'photo', type: 'vector', dimension: DIM }],
      });
    }
  });
  afterAll(async () => {
    await test?.dispose();
  });

  /** New metadata and a new photo vector for these items (created when new). */
  async function change(indices: readonly number[]): Promise<void> {
    round++;
    await upsertEntities(test.db.sql, 'item', indices.map((i) => ({ externalId: key(i), metadata: { price: i * 1_000 + round, category: `r${round}` } })));
    await upsertEmbeddings(test.db.sql, { id: modalityId, entityType: 'item' }, indices.map((i) => ({ externalId: key(i), vector: randomVector() })));
  }

  async function materialize(featureSet: string, mode: 'full' | 'incremental'): Promise<{ run: MaterializationResult; version: FeatureSetVersionInfo }> {
    const run = await runMaterialization(deps, { featureSet, mode, partitions: 3 }, { worker: 'w1', settings: FAST_SETTINGS });
    expect(run.run.status).toBe('succeeded');
    return { run, version: await getVersion(test.db, run.plan.version.id) };
  }

  /** A version of the mirror set whose own rows are `version`'s rows: what a full copy would hold. */
  async function fullCopy(version: FeatureSetVersionInfo, mirror: string): Promise<FeatureSetVersionInfo> {
    const copy = await createPendingVersion(test.db, mirror);
    const rows = layoutRowsSql(await readVersionRowLayout(test.db.sql, version.id));
    await test.db.sql.query(
      `INSERT INTO feature_value (version_id, entity_key, "values", vector, valid_from) SELECT $1, entity_key, "values", vector, valid_from FROM ${rows} fv`,
      [copy.id],
    );
    return publishVersion(test.db, copy.id);
  }

  const allKeys = () => Array.from({ length: N + 10 }, (_, i) => key(i));

  async function onlineRows(version: FeatureSetVersionInfo) {
    const read = await getOnlineFeatures(test.db, { featureSet: version.featureSetName, version: version.version, entityKeys: allKeys() });
    return read.rows.map((row) => ({ entityKey: row.entityKey, status: row.status, values: row.values, vector: row.vector, validFrom: row.validFrom?.toISOString() ?? null }));
  }

  async function pointInTime(version: FeatureSetVersionInfo | null, featureSet: string, at: Date) {
    const rows = await getPointInTimeFeatures(test.db, { featureSet, ...(version ? { version: version.version } : {}), pairs: allKeys().map((entityKey) => ({ entityKey, timestamp: at })) });
    return rows.map((row) => ({ entityKey: row.entityKey, found: row.found, version: row.version, values: row.values, vector: row.vector, validFrom: row.validFrom?.toISOString() ?? null }));
  }

  const search = (version: FeatureSetVersionInfo, query: number[], overrides: Partial<VectorSearch> = {}): VectorSearch => ({
    versionId: version.id, dimension: DIM, entityType: 'item', query, k: 10, metric: 'cosine', efSearch: 400, ...overrides,
  });

  /** Every reader answers the same for `version` as for its full copy. */
  async function expectReadsLikeFullCopy(version: FeatureSetVersionInfo, copy: FeatureSetVersionInfo): Promise<void> {
    expect(await onlineRows(version)).toEqual(await onlineRows(copy));
    expect(version.rowCount).toBe(copy.rowCount);
    expectClose(version.statistics?.features, copy.statistics?.features);
    const later = new Date(Date.now() + 1_000);
    const withoutVersion = (rows: Awaited<ReturnType<typeof pointInTime>>) => rows.map(({ version: _, ...rest }) => rest);
    expect(withoutVersion(await pointInTime(version, version.featureSetName, later))).toEqual(withoutVersion(await pointInTime(copy, copy.featureSetName, later)));
    if (!version.schema.features.some((feature) => feature.type === 'vector')) return;
    const byKey = (a: { entityKey: string }, b: { entityKey: string }) => a.entityKey.localeCompare(b.entityKey);
    expect((await readVersionVectors(test.db.sql, version.id)).sort(byKey)).toEqual((await readVersionVectors(test.db.sql, copy.id)).sort(byKey));
    expect(await countVersionVectors(test.db.sql, version.id)).toBe(await countVersionVectors(test.db.sql, copy.id));
    const queries = [...Array.from({ length: 8 }, randomVector), ...(await readVersionVectors(test.db.sql, version.id)).slice(0, 4).map((row) => row.vector)];
    for (const query of queries) {
      const exact = await searchFeatureVectors(test.db, search(version, query, { approximate: false }));
      expect(exact).toEqual(await searchFeatureVectors(test.db, search(copy, query, { approximate: false })));
      const approximate = await searchFeatureVectors(test.db, search(version, query));
      expect(approximate.map((match) => match.entityKey)).toEqual(exact.map((match) => match.entityKey));
      const filtered = { excludeKeys: [exact[0]!.entityKey], metadataContains: { category: 'c3' } };
      expect((await searchFeatureVectors(test.db, search(version, query, filtered))).map((match) => match.entityKey))
        .toEqual((await searchFeatureVectors(test.db, search(copy, query, { ...filtered, approximate: false }))).map((match) => match.entityKey));
    }
  }

  let photoV1: FeatureSetVersionInfo;
  let rawV1: FeatureSetVersionInfo;
  let photoV2: FeatureSetVersionInfo;
  let compacted: FeatureSetVersionInfo;

  it('stores only the recomputed rows, and reads exactly as a full copy through every reader', async () => {
    photoV1 = (await materialize('delta_photo', 'full')).version;
    rawV1 = (await materialize('delta_raw', 'full')).version;
    await sleep(20);
    const beforeDelta = new Date();
    await sleep(20);
    await change([3, 150, 299, 301, N]); // four changed, one new
    const photo = await materialize('delta_photo', 'incremental');
    const raw = await materialize('delta_raw', 'incremental');
    photoV2 = photo.version;
    expect(photo.run.plan).toMatchObject({ mode: 'incremental', baseVersion: photoV1.version, rowBaseVersion: photoV1.version });
    expect(photo.version).toMatchObject({ rowBaseVersionId: photoV1.id, annBaseVersionId: photoV1.id, rowCount: N + 1 });
    expect(raw.version).toMatchObject({ rowBaseVersionId: rawV1.id, rowCount: N + 1 });
    expect(photo.run.work).toMatchObject({ computed: 5, copied: N - 4 });
    expect(await countStoredRows(test.db.sql, photo.version.id)).toBe(5);
    expect(await countStoredRows(test.db.sql, raw.version.id)).toBe(5);
    // No index of its own: an index over its stored rows would miss the base's.
    await maintainVectorIndexes(test.db, photo.version.featureSetId, { wait: true });
    expect(await indexNames()).not.toContain(featureVectorIndexName(photo.version.id, 'cosine'));

    await expectReadsLikeFullCopy(photo.version, await fullCopy(photo.version, 'mirror_photo'));
    await expectReadsLikeFullCopy(raw.version, await fullCopy(raw.version, 'mirror_raw'));

    // Point in time, over every version: before the delta's publish its base answers; after it,
    // the delta answers for every entity (an unchanged row ties on valid_from and the later
    // publish wins, as a copied row would).
    for (const [set, base, delta] of [['delta_photo', photoV1, photo.version], ['delta_raw', rawV1, raw.version]] as const) {
      const before = await pointInTime(null, set, beforeDelta);
      expect(before.filter((row) => row.found).map((row) => row.version)).toEqual(new Array(N).fill(base.version));
      const after = await pointInTime(null, set, new Date(Date.now() + 1_000));
      expect(after.filter((row) => row.found).map((row) => row.version)).toEqual(new Array(N + 1).fill(delta.version));
      const online = await onlineRows(delta);
      expect(after.map(({ entityKey, found, values, vector, validFrom }) => ({ entityKey, found, values, vector, validFrom })))
        .toEqual(online.map(({ entityKey, status, values, vector, validFrom }) => ({ entityKey, found: status === 'ok', values: status === 'ok' ? values : null, vector, validFrom })));
    }
  });

  it('an incremental run on a delta rebases on the full version, carrying the delta rows still current', async () => {
    await change([3, 10, 11, 12]); // item 3 changes again
    const photo = await materialize('delta_photo', 'incremental');
    expect(photo.run.plan).toMatchObject({ baseVersion: photoV2.version, rowBaseVersion: photoV1.version });
    expect(photo.version).toMatchObject({ rowBaseVersionId: photoV1.id, annBaseVersionId: photoV1.id, rowCount: N + 1 });
    // V2's delta (3, 150, 299, 301, N) carried or recomputed, plus 10, 11, 12.
    expect(await countStoredRows(test.db.sql, photo.version.id)).toBe(8);
    // Its unchanged rows are V1's: lineage names V1 as a direct source, not only through V2's run.
    expect(await lineageNeighbours(test.db, { kind: 'feature_set_version', id: photo.version.id }, 'upstream')).toContainEqual({ kind: 'feature_set_version', id: photoV1.id });
    expect(photo.run.work).toMatchObject({ computed: 4, copied: N - 3 });
    await expectReadsLikeFullCopy(photo.version, await fullCopy(photo.version, 'mirror_photo'));
    const raw = await materialize('delta_raw', 'incremental');
    expect(raw.version.rowBaseVersionId).toBe(rawV1.id);
    await expectReadsLikeFullCopy(raw.version, await fullCopy(raw.version, 'mirror_raw'));
  });

  it('copies in full once the delta would exceed MAX_DELTA_SHARE of the base (compaction)', async () => {
    const many = Array.from({ length: Math.ceil(MAX_DELTA_SHARE * N) + 5 }, (_, i) => 20 + i);
    await change(many);
    const photo = await materialize('delta_photo', 'incremental');
    expect(photo.run.plan.copiedInFullBecause).toMatch(/over 20%/);
    expect(photo.run.plan.rowBaseVersion).toBeUndefined();
    expect(photo.version).toMatchObject({ rowBaseVersionId: null, rowCount: N + 1 });
    expect(await countStoredRows(test.db.sql, photo.version.id)).toBe(N + 1);
    await expectReadsLikeFullCopy(photo.version, await fullCopy(photo.version, 'mirror_photo'));
    compacted = photo.version;
  });

  it('keeps a row base readable and indexed while published deltas depend on it, deprecated or not', async () => {
    // The compacted version has indexes of its own (a quarter of its vectors changed).
    const base = await getVersion(test.db, compacted.id);
    expect(base.annBaseVersionId).toBeNull();
    const deltas: FeatureSetVersionInfo[] = [];
    for (let i = 0; i < 3; i++) {
      await change([40 + i]);
      deltas.push((await materialize('delta_photo', 'incremental')).version);
    }
    expect(deltas.map((delta) => delta.rowBaseVersionId)).toEqual([base.id, base.id, base.id]);
    const latest = deltas.at(-1)!;
    const before = await onlineRows(latest);
    await deprecateVersion(test.db, base.id);
    const maintained = await maintainVectorIndexes(test.db, base.featureSetId, { wait: true });
    expect(maintained.retired).not.toContain(base.id);
    expect(await indexNames()).toContain(featureVectorIndexName(base.id, 'cosine'));
    expect(await onlineRows(latest)).toEqual(before);
    await expectReadsLikeFullCopy(await getVersion(test.db, latest.id), await fullCopy(latest, 'mirror_photo'));
    // The next incremental still rebases on the deprecated base.
    await change([50]);
    expect((await materialize('delta_photo', 'incremental')).version.rowBaseVersionId).toBe(base.id);
  });

  it('a delta on a full version searched through an earlier version\'s indexes is searched through those', async () => {
    await change([60]);
    const second = (await materialize('delta_photo', 'full')).version;
    expect(second.annBaseVersionId).toBe(compacted.id);
    await change([61, 62]);
    const delta = (await materialize('delta_photo', 'incremental')).version;
    expect(delta).toMatchObject({ rowBaseVersionId: second.id, annBaseVersionId: compacted.id });
    await expectReadsLikeFullCopy(delta, await fullCopy(delta, 'mirror_photo'));
  });

  async function indexNames(): Promise<string[]> {
    const rows = await test.db.sql.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE tablename = $1', ['feature_value']);
    return rows.map((row) => row.indexname);
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deep equality with numbers compared to a relative 1e-6 (sums in another row order round differently). */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
  } else if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object', path).toBe(true);
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const k of keys) expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}
