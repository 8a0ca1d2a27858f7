import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureReadCache } from '../../api/FeatureReadCache.ts';
import { FeatureSetNotFoundError } from '../../store/featureSets/errors.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { getOnlineFeatures } from '../../store/featureSets/getFeatures.ts';
import { createPendingVersion, deprecateVersion, publishVersion, writeFeatureValues } from '../../store/featureSets/versions.ts';
import { countingStatements, rawDefinition } from '../support/featureSetFixtures.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

describe('online feature reads kept in memory across requests', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => {
    await test.dispose();
  });

  async function publish(name: string, rows: { entityKey: string; x: number; validFrom: Date | string }[], { vectors = false } = {}): Promise<number> {
    const version = await createPendingVersion(test.db, name);
    await writeFeatureValues(test.db, version, rows.map((row) => ({ entityKey: row.entityKey, values: { x: row.x }, ...(vectors ? { vector: [row.x, 1] } : {}), validFrom: row.validFrom })));
    await publishVersion(test.db, version.id);
    return version.id;
  }

  it('answers exactly what the store answers, and a repeated read without any statement', async () => {
    await registerFeatureSet(test.db, rawDefinition('kept_set', { source: { fields: ['x', 'v'] }, features: [{ name: 'x', type: 'numeric' }, { name: 'v', type: 'vector', dimension: 2 }] }));
    await publish('kept_set', [{ entityKey: 'a', x: 1, validFrom: '2025-01-01T00:00:00Z' }, { entityKey: 'b', x: 2, validFrom: '2025-01-01T00:00:00Z' }], { vectors: true });
    const cache = new FeatureReadCache({ resolveTtlMs: 600_000 });
    const counting = countingStatements(test.db);
    const request = { featureSet: 'kept_set', version: 'latest' as const, entityKeys: ['b', 'nobody', 'a', 'b'] };
    const first = await cache.read(counting.db, request);
    expect(counting.count()).toBe(1);
    expect(first).toEqual(await getOnlineFeatures(test.db, request));
    counting.reset();
    const again = await cache.read(counting.db, request);
    expect(counting.count()).toBe(0);
    expect(again).toEqual(first);
    expect(again.missing).toEqual(['nobody']);
    // Only the keys not kept yet are read, by the version resolved before.
    const wider = await cache.read(counting.db, { ...request, entityKeys: ['a', 'c'] });
    expect(counting.count()).toBe(1);
    expect(wider.rows.map((row) => [row.entityKey, row.status])).toEqual([['a', 'ok'], ['c', 'missing']]);
    await expect(cache.read(test.db, { ...request, featureSet: 'nope' })).rejects.toThrow(FeatureSetNotFoundError);
  });

  it('applies the TTL at each read to kept rows, and never keeps a stale one', async () => {
    await registerFeatureSet(test.db, rawDefinition('kept_ttl_set', { ttlSeconds: 3_600 }));
    const now = new Date('2025-06-01T12:00:00Z');
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    await publish('kept_ttl_set', [{ entityKey: 'fresh', x: 1, validFrom: ago(600) }, { entityKey: 'old', x: 3, validFrom: ago(3_601) }]);
    const cache = new FeatureReadCache({ resolveTtlMs: 600_000 });
    const request = { featureSet: 'kept_ttl_set', version: 'latest' as const, entityKeys: ['fresh', 'old'], now };
    const first = await cache.read(test.db, request);
    expect(first.rows.map((row) => [row.entityKey, row.status, row.values?.x ?? null])).toEqual([['fresh', 'ok', 1], ['old', 'stale', null]]);
    const counting = countingStatements(test.db);
    // An hour later the kept 'fresh' row has gone stale too; 'old' was not kept and is read again.
    const later = await cache.read(counting.db, { ...request, now: new Date(now.getTime() + 3_600_000) });
    expect(later.rows.map((row) => [row.entityKey, row.status, row.values, row.vector])).toEqual([['fresh', 'stale', null, null], ['old', 'stale', null, null]]);
    expect(later.rows[0]!.validFrom).toEqual(ago(600));
    expect(counting.count()).toBe(1);
  });

  it('serves a newly published or deprecated latest version once the resolution expires', async () => {
    await registerFeatureSet(test.db, rawDefinition('kept_latest_set'));
    await publish('kept_latest_set', [{ entityKey: 'a', x: 1, validFrom: '2025-01-01T00:00:00Z' }]);
    const kept = new FeatureReadCache({ resolveTtlMs: 600_000 });
    const unkept = new FeatureReadCache({ resolveTtlMs: 0 });
    const request = { featureSet: 'kept_latest_set', version: 'latest' as const, entityKeys: ['a'] };
    expect((await kept.read(test.db, request)).version).toBe(1);
    expect((await unkept.read(test.db, request)).version).toBe(1);
    const v2 = await publish('kept_latest_set', [{ entityKey: 'a', x: 2, validFrom: '2025-01-02T00:00:00Z' }]);
    // Within the resolution TTL the version resolved before is still served, whole and consistent.
    expect((await kept.read(test.db, request)).rows[0]!.values).toEqual({ x: 1 });
    const latest = await unkept.read(test.db, request);
    expect([latest.version, latest.rows[0]!.values]).toEqual([2, { x: 2 }]);
    await deprecateVersion(test.db, v2);
    expect((await unkept.read(test.db, request)).version).toBe(1);
    // A pinned read of the deprecated version still answers it.
    expect((await unkept.read(test.db, { ...request, version: 2 })).rows[0]!.values).toEqual({ x: 2 });
  });
});
