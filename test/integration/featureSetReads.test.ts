import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureSetNotFoundError, FeatureSetVersionNotFoundError } from '../../store/featureSets/errors.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { getOnlineFeatures, getPointInTimeFeatures } from '../../store/featureSets/getFeatures.ts';
import { createPendingVersion, deprecateVersion, failVersion, publishVersion, writeFeatureValues } from '../../store/featureSets/versions.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';
import { countingStatements, rawDefinition, setPublishedAt } from '../support/featureSetFixtures.ts';

describe('online and point-in-time reads', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
  });
  afterAll(async () => {
    await test.dispose();
  });

  it('reads 5,000 entities with their vectors in exactly one statement, reporting the missing ones', async () => {
    await registerFeatureSet(test.db, rawDefinition('online_set', {
      source: { fields: ['x', 'v'] },
      features: [{ name: 'x', type: 'numeric' }, { name: 'v', type: 'vector', dimension: 8 }],
    }));
    const version = await createPendingVersion(test.db, 'online_set');
    const keys = Array.from({ length: 5_000 }, (_, i) => `user-${i}`);
    const vectorOf = (i: number) => Array.from({ length: 8 }, (_, d) => (i % 97) / 4 + d * 0.5);
    await writeFeatureValues(test.db, version, keys.map((entityKey, i) => ({ entityKey, values: { x: i }, vector: vectorOf(i), validFrom: '2025-01-01T00:00:00Z' })));
    await publishVersion(test.db, version.id);

    const counting = countingStatements(test.db);
    const requested = [...keys.slice().reverse(), 'nobody', 'user-x'];
    const result = await getOnlineFeatures(counting.db, { featureSet: 'online_set', version: 'latest', entityKeys: requested });
    expect(counting.count()).toBe(1);
    expect(result.rows.map((row) => row.entityKey)).toEqual(requested);
    expect(result.missing).toEqual(['nobody', 'user-x']);
    expect(result.rows[0]).toEqual({ entityKey: 'user-4999', status: 'ok', values: { x: 4999 }, vector: vectorOf(4999), validFrom: new Date('2025-01-01T00:00:00Z'), createdAt: expect.any(Date) });
    expect(result.rows.filter((row) => row.status === 'ok').length).toBe(5_000);
    expect(result.rows.at(-1)).toMatchObject({ status: 'missing', values: null, vector: null, validFrom: null });

    counting.reset();
    const pinned = await getOnlineFeatures(counting.db, { featureSet: 'online_set', version: 1, entityKeys: [] });
    expect(counting.count()).toBe(1);
    expect(pinned).toMatchObject({ version: 1, rows: [], missing: [] });
    await expect(getOnlineFeatures(test.db, { featureSet: 'nope', version: 'latest', entityKeys: ['a'] })).rejects.toThrow(FeatureSetNotFoundError);
    await expect(getOnlineFeatures(test.db, { featureSet: 'online_set', version: 7, entityKeys: ['a'] })).rejects.toThrow(FeatureSetVersionNotFoundError);
  });

  it('applies the TTL relative to now: stale values are reported with their age and served as null', async () => {
    await registerFeatureSet(test.db, rawDefinition('ttl_set', { ttlSeconds: 3_600 }));
    const version = await createPendingVersion(test.db, 'ttl_set');
    const now = new Date('2025-06-01T12:00:00Z');
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    await writeFeatureValues(test.db, version, [
      { entityKey: 'fresh', values: { x: 1 }, validFrom: ago(600) },
      { entityKey: 'edge', values: { x: 2 }, validFrom: ago(3_600) },
      { entityKey: 'old', values: { x: 3 }, validFrom: ago(3_601) },
    ]);
    await publishVersion(test.db, version.id);
    const result = await getOnlineFeatures(test.db, { featureSet: 'ttl_set', version: 'latest', entityKeys: ['fresh', 'edge', 'old', 'none'], now });
    expect(result.ttlSeconds).toBe(3_600);
    expect(result.rows.map((row) => [row.entityKey, row.status, row.values?.x ?? null])).toEqual([
      ['fresh', 'ok', 1],
      ['edge', 'ok', 2],
      ['old', 'stale', null],
      ['none', 'missing', null],
    ]);
    expect(result.rows[2]?.validFrom).toEqual(ago(3_601));
    // Without `now`, the database clock decides: everything written in 2025 is stale by now.
    const later = await getOnlineFeatures(test.db, { featureSet: 'ttl_set', version: 'latest', entityKeys: ['fresh'] });
    expect(later.rows[0]?.status).toBe('stale');
  });

  it('point in time: never a value valid later, nor one published later, at microsecond boundaries', async () => {
    await registerFeatureSet(test.db, rawDefinition('pit_set'));
    const v1 = await createPendingVersion(test.db, 'pit_set');
    await writeFeatureValues(test.db, v1, [
      { entityKey: 'e1', values: { x: 1 }, validFrom: '2025-01-01T00:00:00.000001Z' },
      { entityKey: 'e2', values: { x: 10 }, validFrom: '2025-01-01T00:00:00Z' },
    ]);
    await publishVersion(test.db, v1.id);
    await setPublishedAt(test.db, v1.id, '2025-01-01T00:00:00.000001Z');
    const v2 = await createPendingVersion(test.db, 'pit_set');
    await writeFeatureValues(test.db, v2, [
      { entityKey: 'e1', values: { x: 2 }, validFrom: '2025-01-01T12:00:00Z' }, // valid before v2 was published
      { entityKey: 'e2', values: { x: 20 }, validFrom: '2025-01-03T00:00:00Z' }, // valid after v2 was published
    ]);
    await publishVersion(test.db, v2.id);
    await setPublishedAt(test.db, v2.id, '2025-01-02T00:00:00Z');
    // Versions no reader ever saw: pending and failed, with values valid long before.
    const pending = await createPendingVersion(test.db, 'pit_set');
    await writeFeatureValues(test.db, pending, [{ entityKey: 'e1', values: { x: 99 }, validFrom: '2024-01-01T00:00:00Z' }]);
    const failed = await createPendingVersion(test.db, 'pit_set');
    await writeFeatureValues(test.db, failed, [{ entityKey: 'e2', values: { x: 98 }, validFrom: '2024-01-01T00:00:00Z' }]);
    await failVersion(test.db, failed.id);

    const cases: [string, string, number | null][] = [
      ['e1', '2025-01-01T00:00:00.000001Z', 1], // equal to valid_from and published_at
      ['e1', '2025-01-01T00:00:00Z', null], // one microsecond before
      ['e2', '2025-01-01T00:00:00Z', null], // valid, but published one microsecond later
      ['e2', '2025-01-01T00:00:00.000001Z', 10],
      ['e1', '2025-01-01T18:00:00Z', 1], // v2's value is valid but v2 was not published yet
      ['e1', '2025-01-01T23:59:59.999999Z', 1],
      ['e1', '2025-01-02T00:00:00Z', 2],
      ['e2', '2025-01-02T12:00:00Z', 10], // v2 is published but its e2 value is not valid yet
      ['e2', '2025-01-02T23:59:59.999999+00:00', 10],
      ['e2', '2025-01-03T01:00:00+01:00', 20], // the same instant in another offset
      ['e3', '2030-01-01T00:00:00Z', null],
      ['e1', '2024-06-01T00:00:00Z', null],
    ];
    const counting = countingStatements(test.db);
    const rows = await getPointInTimeFeatures(counting.db, { featureSet: 'pit_set', pairs: cases.map(([entityKey, timestamp]) => ({ entityKey, timestamp })) });
    expect(counting.count()).toBe(1);
    expect(rows.map((row) => row.values?.x ?? null)).toEqual(cases.map(([, , x]) => x));
    expect(rows.map((row) => row.version)).toEqual(cases.map(([, , x]) => (x === null ? null : x >= 20 || x === 2 ? 2 : 1)));
    expect(rows[6]).toMatchObject({ entityKey: 'e1', found: true, validFrom: new Date('2025-01-01T12:00:00Z') });

    // A deprecated version was published then: point-in-time reads still see it.
    await deprecateVersion(test.db, v2.id);
    const afterDeprecation = await getPointInTimeFeatures(test.db, { featureSet: 'pit_set', pairs: [{ entityKey: 'e1', timestamp: '2025-01-05T00:00:00Z' }] });
    expect(afterDeprecation[0]?.values).toEqual({ x: 2 });
    // Pinned to one version: only its values.
    const pinned = await getPointInTimeFeatures(test.db, { featureSet: 'pit_set', version: 1, pairs: [{ entityKey: 'e1', timestamp: '2025-01-05T00:00:00Z' }] });
    expect(pinned[0]).toMatchObject({ version: 1, values: { x: 1 } });
    await expect(getPointInTimeFeatures(test.db, { featureSet: 'pit_set', version: pending.version, pairs: [] })).rejects.toThrow(FeatureSetVersionNotFoundError);
    await expect(getPointInTimeFeatures(test.db, { featureSet: 'nope', pairs: [] })).rejects.toThrow(FeatureSetNotFoundError);
    expect(await getPointInTimeFeatures(test.db, { featureSet: 'pit_set', pairs: [] })).toEqual([]);
  });

  it('point in time: matches a brute-force oracle on random microsecond timestamps over several versions', async () => {
    await registerFeatureSet(test.db, rawDefinition('pit_random'));
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const base = Date.UTC(2025, 0, 1) * 1000; // microseconds
    const span = 1_000; // a millisecond of microseconds: many exact ties and one-microsecond gaps
    const iso = (micros: number) => `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
    const entities = ['a', 'b', 'c', 'd', 'e'];
    const stored: { version: number; entityKey: string; validFrom: number; publishedAt: number; x: number }[] = [];
    for (let number = 1; number <= 4; number++) {
      const version = await createPendingVersion(test.db, 'pit_random');
      const publishedAt = base + Math.floor(random() * span);
      const rows = entities.filter(() => random() < 0.8).map((entityKey) => ({ entityKey, validFrom: base + Math.floor(random() * span), x: number * 100 + entities.indexOf(entityKey) }));
      await writeFeatureValues(test.db, version, rows.map((row) => ({ entityKey: row.entityKey, values: { x: row.x }, validFrom: iso(row.validFrom) })));
      await publishVersion(test.db, version.id);
      await setPublishedAt(test.db, version.id, iso(publishedAt));
      for (const row of rows) stored.push({ version: number, publishedAt, ...row });
    }
    const queries = Array.from({ length: 400 }, () => ({ entityKey: entities[Math.floor(random() * entities.length)]!, at: base + Math.floor(random() * span) }));
    // Also every exact boundary and one microsecond before it.
    for (const row of stored) {
      for (const at of [row.validFrom, row.validFrom - 1, row.publishedAt, row.publishedAt - 1]) queries.push({ entityKey: row.entityKey, at });
    }
    const rows = await getPointInTimeFeatures(test.db, { featureSet: 'pit_random', pairs: queries.map((query) => ({ entityKey: query.entityKey, timestamp: iso(query.at) })) });
    const expected = queries.map((query) => {
      const candidates = stored
        .filter((row) => row.entityKey === query.entityKey && row.validFrom <= query.at && row.publishedAt <= query.at)
        .sort((a, b) => b.validFrom - a.validFrom || b.publishedAt - a.publishedAt || b.version - a.version);
      return candidates[0]?.x ?? null;
    });
    expect(rows.map((row) => row.values?.x ?? null)).toEqual(expected);
    expect(expected.filter((x) => x !== null).length).toBeGreaterThan(50);
    expect(expected.filter((x) => x === null).length).toBeGreaterThan(20);
  });
});
