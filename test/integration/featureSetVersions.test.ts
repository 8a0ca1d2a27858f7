import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureSetInputError, FeatureSetVersionNotFoundError, VersionStateError } from '../../store/featureSets/errors.ts';
import { getFeatureSet, registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { getOnlineFeatures } from '../../store/featureSets/getFeatures.ts';
import { listFeatureSets } from '../../store/featureSets/listFeatureSets.ts';
import {
  createPendingVersion,
  deprecateVersion,
  failVersion,
  getVersion,
  publishVersion,
  resolveVersion,
  writeFeatureValues,
  type FeatureSetVersionInfo,
} from '../../store/featureSets/versions.ts';
import { registerModelVersion } from '../../store/registry/modelVersions.ts';
import { readOnlineFeatures } from '../../store/sql/readOnlineFeatures.ts';
import { openTestDatabase, testedMode, type TestDatabase } from '../support/testDatabase.ts';
import { rawDefinition } from '../support/featureSetFixtures.ts';

const T = '2025-03-01T00:00:00Z';

function rows(keys: readonly string[], x: number) {
  return keys.map((entityKey) => ({ entityKey, values: { x }, validFrom: T }));
}

const keys = Array.from({ length: 100 }, (_, i) => `u${i}`);

describe('feature set registry and versions', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => {
    await test.dispose();
  });

  async function publishedWith(name: string, x: number): Promise<FeatureSetVersionInfo> {
    const version = await createPendingVersion(test.db, name);
    await writeFeatureValues(test.db, version, rows(keys, x));
    return publishVersion(test.db, version.id);
  }

  it('registers, updates compatible fields in place and refuses identity changes', async () => {
    expect((await registerFeatureSet(test.db, rawDefinition('reg_set'))).outcome).toBe('created');
    expect((await registerFeatureSet(test.db, rawDefinition('reg_set'))).outcome).toBe('unchanged');
    const updated = await registerFeatureSet(test.db, rawDefinition('reg_set', { owner: 'team-b', tags: ['x'], ttlSeconds: 60 }));
    expect(updated).toMatchObject({ outcome: 'updated', changedFields: ['owner', 'tags', 'ttlSeconds'], featureSet: { owner: 'team-b', tags: ['x'], ttlSeconds: 60 } });
    await expect(registerFeatureSet(test.db, rawDefinition('reg_set', { entityType: 'item' }))).rejects.toThrow(/cannot change entityType/);
    await expect(registerFeatureSet(test.db, { ...rawDefinition('reg_set'), owner: '' })).rejects.toThrow(FeatureSetInputError);
    expect((await getFeatureSet(test.db, 'reg_set')).owner).toBe('team-b');
  });

  it('an incompatible schema change creates a new version with the new schema; old versions keep theirs', async () => {
    await registerFeatureSet(test.db, rawDefinition('schema_set'));
    const v1 = await publishedWith('schema_set', 1);
    const stillPending = await createPendingVersion(test.db, 'schema_set');
    const changed = await registerFeatureSet(test.db, rawDefinition('schema_set', { source: { fields: ['x', 'y'] }, features: [{ name: 'x', type: 'numeric' }, { name: 'y', type: 'numeric' }] }));
    expect(changed).toMatchObject({ outcome: 'schema_changed', changedFields: ['features', 'source'] });

    const v3 = await createPendingVersion(test.db, 'schema_set');
    expect(v3.version).toBe(3);
    expect(v3.schema.features.map((feature) => feature.name)).toEqual(['x', 'y']);
    expect((await getVersion(test.db, v1.id)).schema).toEqual({ features: [{ name: 'x', type: 'numeric' }], source: { fields: ['x'] } });
    // The version opened before the change was materialized for the old schema and keeps it.
    expect(stillPending.schema.features.map((feature) => feature.name)).toEqual(['x']);
    await expect(writeFeatureValues(test.db, stillPending, [{ entityKey: 'a', values: { y: 1 }, validFrom: T }])).rejects.toThrow(/values\.y: not a feature/);
    await writeFeatureValues(test.db, v3, [{ entityKey: 'a', values: { x: 1, y: 2 }, validFrom: T }]);
    await publishVersion(test.db, v3.id);
    const read = await getOnlineFeatures(test.db, { featureSet: 'schema_set', version: 'latest', entityKeys: ['a'] });
    expect(read).toMatchObject({ version: 3, rows: [{ status: 'ok', values: { x: 1, y: 2 } }] });
  });

  it('published versions are immutable; pending and failed versions are never readable', async () => {
    await registerFeatureSet(test.db, rawDefinition('immutable_set'));
    const v1 = await publishedWith('immutable_set', 1);
    await expect(writeFeatureValues(test.db, v1, rows(['u1'], 9))).rejects.toThrow(VersionStateError);
    await expect(writeFeatureValues(test.db, v1, [])).rejects.toThrow(/not pending/);
    await expect(publishVersion(test.db, v1.id)).rejects.toThrow(/is published, not pending/);
    await expect(failVersion(test.db, v1.id)).rejects.toThrow(VersionStateError);
    const [stored] = await test.db.sql.query<{ x: number }>(`SELECT ("values"->>'x')::int AS x FROM feature_value WHERE version_id = $1 AND entity_key = 'u1'`, [v1.id]);
    expect(stored?.x).toBe(1);

    const v2 = await createPendingVersion(test.db, 'immutable_set');
    await expect(resolveVersion(test.db, 'immutable_set', 2)).rejects.toThrow(FeatureSetVersionNotFoundError);
    await expect(getOnlineFeatures(test.db, { featureSet: 'immutable_set', version: 2, entityKeys: ['u1'] })).rejects.toThrow(FeatureSetVersionNotFoundError);
    await expect(publishVersion(test.db, v2.id)).rejects.toThrow(/has no rows/);
    expect((await failVersion(test.db, v2.id)).status).toBe('failed');
    await expect(writeFeatureValues(test.db, v2, rows(['u1'], 2))).rejects.toThrow(VersionStateError);
    await expect(publishVersion(test.db, v2.id)).rejects.toThrow(/failed, not pending/);
    expect((await resolveVersion(test.db, 'immutable_set', 'latest')).version).toBe(1);
    await expect(resolveVersion(test.db, 'no_such_set', 'latest')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serves pinned and latest versions; a deprecated version stays readable by number but is never latest', async () => {
    await registerFeatureSet(test.db, rawDefinition('pin_set'));
    await expect(resolveVersion(test.db, 'pin_set', 'latest')).rejects.toThrow(/no published version/);
    const v1 = await publishedWith('pin_set', 1);
    const v2 = await publishedWith('pin_set', 2);
    const read = (version: 'latest' | number) => getOnlineFeatures(test.db, { featureSet: 'pin_set', version, entityKeys: ['u3'] });
    expect((await read('latest')).rows[0]?.values).toEqual({ x: 2 });
    expect((await read(1)).rows[0]?.values).toEqual({ x: 1 });

    const deprecated = await deprecateVersion(test.db, v2.id);
    expect(deprecated.status).toBe('deprecated');
    expect(deprecated.deprecatedAt).toBeInstanceOf(Date);
    expect(await read('latest')).toMatchObject({ version: 1, status: 'published', rows: [{ values: { x: 1 } }] });
    expect(await read(2)).toMatchObject({ version: 2, status: 'deprecated', rows: [{ values: { x: 2 } }] });
    expect((await resolveVersion(test.db, 'pin_set', 2)).status).toBe('deprecated');
    expect((await resolveVersion(test.db, 'pin_set', 'latest')).id).toBe(v1.id);
    await expect(deprecateVersion(test.db, v2.id)).rejects.toThrow(/is deprecated, not published/);
  });

  it('publishes atomically: readers see only the previous version until the publish commits, never part of one', async () => {
    await registerFeatureSet(test.db, rawDefinition('atomic_set'));
    await publishedWith('atomic_set', 1);
    const read = () => getOnlineFeatures(test.db, { featureSet: 'atomic_set', version: 'latest', entityKeys: keys });
    const consistent = (result: Awaited<ReturnType<typeof read>>) => {
      const xs = new Set(result.rows.map((row) => row.values?.x));
      expect(xs).toEqual(new Set([result.version]));
      expect(result.missing).toEqual([]);
    };

    const v2 = await createPendingVersion(test.db, 'atomic_set');
    await writeFeatureValues(test.db, v2, rows(keys.slice(0, 50), 2));
    const during = await read();
    expect(during.version).toBe(1);
    consistent(during);
    await writeFeatureValues(test.db, v2, rows(keys.slice(50), 2));
    consistent(await read());

    // Readers racing the publish see all of version 1 or all of version 2.
    const results = await Promise.all([publishVersion(test.db, v2.id), ...Array.from({ length: 12 }, read)]);
    for (const result of results.slice(1)) consistent(result as Awaited<ReturnType<typeof read>>);
    const after = await read();
    expect(after.version).toBe(2);
    consistent(after);
  });

  it('writers racing a publish either land before it or are refused: the row count is exact', async () => {
    await registerFeatureSet(test.db, rawDefinition('race_set'));
    const v1 = await createPendingVersion(test.db, 'race_set');
    await writeFeatureValues(test.db, v1, rows(['seed'], 1));
    const writes = Array.from({ length: 10 }, (_, i) => writeFeatureValues(test.db, v1, rows([`w${i}a`, `w${i}b`], 1)).then(() => 'written', (error: unknown) => {
      if (!(error instanceof VersionStateError)) throw error;
      return 'refused';
    }));
    const [published, ...outcomes] = await Promise.all([publishVersion(test.db, v1.id), ...writes]);
    const [count] = await test.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM feature_value WHERE version_id = $1', [v1.id]);
    expect(count?.n).toBe(published.rowCount);
    expect(published.rowCount).toBe(1 + 2 * outcomes.filter((outcome) => outcome === 'written').length);
    expect((await getVersion(test.db, v1.id)).rowCount).toBe(count?.n);
  });

  it.runIf(testedMode === 'server')('a reader transaction that started before a publish keeps its snapshot (server)', async () => {
    await registerFeatureSet(test.db, rawDefinition('snapshot_set'));
    await publishedWith('snapshot_set', 1);
    const v2 = await createPendingVersion(test.db, 'snapshot_set');
    await writeFeatureValues(test.db, v2, rows(keys, 2));
    const request = { featureSet: 'snapshot_set', version: 'latest' as const, entityKeys: keys };
    await test.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const before = await readOnlineFeatures(tx, request);
      expect(before.found === 'result' && before.result.version).toBe(1);
      await publishVersion(test.db, v2.id); // another connection
      const again = await readOnlineFeatures(tx, request);
      expect(again.found === 'result' && new Set(again.result.rows.map((row) => row.values?.x))).toEqual(new Set([1]));
    });
    const now = await getOnlineFeatures(test.db, request);
    expect(new Set(now.rows.map((row) => row.values?.x))).toEqual(new Set([2]));
  });

  it('ties synthesized versions to their model version, and lists feature sets as the CLI prints them', async () => {
    const model = await registerModelVersion(test.db, { name: 'list_model', config: {}, artifacts: {}, weights: new Uint8Array([1]) });
    const other = await registerModelVersion(test.db, { name: 'other_model', config: {}, artifacts: {}, weights: new Uint8Array([1]) });
    await registerFeatureSet(test.db, {
      name: 'list_synth', entityType: 'item', kind: 'synthesized', owner: 'ml', description: 'synthetic item features', tags: ['cold-start'], ttlSeconds: 86_400,
      source: { model: 'list_model' }, features: [{ name: 'synthetic', type: 'vector', dimension: 3 }],
    });
    await expect(createPendingVersion(test.db, 'list_synth')).rejects.toThrow(/needs the model version/);
    await expect(createPendingVersion(test.db, 'list_synth', { modelVersionId: other.id })).rejects.toThrow(/not by "other_model"/);
    await expect(createPendingVersion(test.db, 'pin_set', { modelVersionId: model.id })).rejects.toThrow(/from no model/);
    const v1 = await createPendingVersion(test.db, 'list_synth', { modelVersionId: model.id });
    await writeFeatureValues(test.db, v1, [{ entityKey: 'i1', values: {}, vector: [1, 2, 3], validFrom: T }, { entityKey: 'i2', values: {}, vector: [0, 1, 0], validFrom: T }]);
    const published = await publishVersion(test.db, v1.id);
    const [index] = await test.db.sql.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [`feature_value_hnsw_version_${v1.id}`]);
    expect(index?.indexdef).toMatch(/hnsw .*vector\(3\).*WHERE \(version_id = \d+\)/);
    const v2 = await createPendingVersion(test.db, 'list_synth', { modelVersionId: model.id });
    await writeFeatureValues(test.db, v2, [{ entityKey: 'i1', values: {}, vector: [1, 1, 1], validFrom: T }]);

    const listing = (await listFeatureSets(test.db)).find((featureSet) => featureSet.name === 'list_synth');
    expect(JSON.parse(JSON.stringify(listing))).toEqual({
      name: 'list_synth', entityType: 'item', kind: 'synthesized', owner: 'ml', description: 'synthetic item features', tags: ['cold-start'], ttlSeconds: 86_400,
      source: { model: 'list_model' }, features: [{ name: 'synthetic', type: 'vector', dimension: 3 }], latestVersion: 1,
      createdAt: expect.any(String), updatedAt: expect.any(String),
      versions: [
        { version: 1, status: 'published', rowCount: 2, modelVersion: { id: model.id, name: 'list_model', version: 1 }, createdAt: v1.createdAt.toISOString(), publishedAt: published.publishedAt!.toISOString(), deprecatedAt: null },
        { version: 2, status: 'pending', rowCount: 1, modelVersion: { id: model.id, name: 'list_model', version: 1 }, createdAt: v2.createdAt.toISOString(), publishedAt: null, deprecatedAt: null },
      ],
    });
    const names = (await listFeatureSets(test.db)).map((featureSet) => featureSet.name);
    expect(names).toEqual([...names].sort());
  });

  it('numbers versions without gaps or duplicates when created concurrently', async () => {
    await registerFeatureSet(test.db, rawDefinition('concurrent_set'));
    const created = await Promise.all(Array.from({ length: 6 }, () => createPendingVersion(test.db, 'concurrent_set')));
    expect(created.map((version) => version.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
