import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../ml/model/seeds.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { createPendingVersion, failVersion, MAX_ANN_DELTA_SHARE, publishVersion, writeFeatureValues, type FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import { registerModelVersion } from '../../store/registry/modelVersions.ts';
import { featureVectorIndexName } from '../../store/sql/featureVectorIndex.ts';
import { searchFeatureVectors, type VectorSearch } from '../../store/sql/searchFeatureVectors.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

const DIM = 8;
const ITEMS = 400;

/**
 * A version whose vectors differ from the previous one's for a few entities is published without
 * HNSW indexes of its own and searched through the previous version's, plus the delta.
 */
describe('versions searched through an earlier version\'s indexes', () => {
  let test: TestDatabase;
  let modelId: number;
  const random = makeRandom(5);
  const randomVector = () => Array.from({ length: DIM }, () => random() * 2 - 1);
  const keys = Array.from({ length: ITEMS + 10 }, (_, i) => `item-${i}`);

  beforeAll(async () => {
    test = await openTestDatabase();
    await upsertEntities(test.db.sql, 'item', keys.map((externalId, i) => ({ externalId, metadata: { shelf: i % 2 === 0 ? 'even' : 'odd' } })));
    modelId = (await registerModelVersion(test.db, { name: 'ann-model', config: {}, artifacts: {}, weights: new Uint8Array(1) })).id;
    await registerFeatureSet(test.db, {
      name: 'item_ann', entityType: 'item', kind: 'synthesized', owner: 'team-recs', source: { model: 'ann-model' },
      features: [{ name: 'synthetic', type: 'vector', dimension: DIM }],
    });
  });
  afterAll(async () => {
    await test.dispose();
  });

  async function publish(vectors: ReadonlyMap<string, number[]>, model = modelId): Promise<FeatureSetVersionInfo> {
    const version = await createPendingVersion(test.db, 'item_ann', { modelVersionId: model });
    await writeFeatureValues(test.db, version, [...vectors].map(([entityKey, vector]) => ({ entityKey, values: {}, vector, validFrom: '2025-01-01T00:00:00Z' })));
    return publishVersion(test.db, version.id);
  }

  async function indexNames(): Promise<string[]> {
    const rows = await test.db.sql.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE tablename = $1', ['feature_value']);
    return rows.map((row) => row.indexname);
  }

  const search = (version: FeatureSetVersionInfo, query: number[], overrides: Partial<VectorSearch> = {}): VectorSearch => ({
    versionId: version.id, dimension: DIM, entityType: 'item', query, k: 10, metric: 'cosine', efSearch: 400, ...overrides,
  });

  it('reuses the previous version\'s indexes for a small delta, and finds exactly what an exact search finds', async () => {
    const first = new Map(keys.slice(0, ITEMS).map((key) => [key, randomVector()]));
    const v1 = await publish(first);
    expect(v1.annBaseVersionId).toBeNull();

    // 8 entities change, 2 disappear, 2 are new: 10 of 400 rows differ (2.5%).
    const second = new Map(first);
    const changed = keys.slice(0, 8);
    for (const key of changed) second.set(key, randomVector());
    second.delete(keys[100]!);
    second.delete(keys[101]!);
    second.set(keys[ITEMS]!, randomVector());
    second.set(keys[ITEMS + 1]!, randomVector());
    expect(10 / ITEMS).toBeLessThanOrEqual(MAX_ANN_DELTA_SHARE);
    const v2 = await publish(second);
    expect(v2.annBaseVersionId).toBe(v1.id);
    expect(await indexNames()).not.toContain(featureVectorIndexName(v2.id, 'cosine'));

    for (const metric of ['cosine', 'inner_product'] as const) {
      // A changed entity is found by its new vector, not by its old one; a vanished one never.
      for (const key of [...changed, keys[ITEMS]!]) {
        const [nearest] = await searchFeatureVectors(test.db, search(v2, second.get(key)!, { metric, k: 1 }));
        if (metric === 'cosine') expect(nearest).toEqual({ entityKey: key, distance: expect.closeTo(0, 5) });
      }
      for (const key of changed) {
        const found = await searchFeatureVectors(test.db, search(v2, first.get(key)!, { metric }));
        const exact = await searchFeatureVectors(test.db, search(v2, first.get(key)!, { metric, approximate: false }));
        expect(found.map((match) => match.entityKey)).toEqual(exact.map((match) => match.entityKey));
      }
      for (let q = 0; q < 10; q++) {
        const query = randomVector();
        const found = await searchFeatureVectors(test.db, search(v2, query, { metric, k: 20 }));
        const exact = await searchFeatureVectors(test.db, search(v2, query, { metric, k: 20, approximate: false }));
        expect(found.map((match) => match.entityKey)).toEqual(exact.map((match) => match.entityKey));
        expect(found.map((match) => match.distance)).toEqual(exact.map((match) => expect.closeTo(match.distance, 5)));
        expect(found.some((match) => match.entityKey === keys[100] || match.entityKey === keys[101])).toBe(false);
      }
    }
    // Filters apply to both parts.
    const query = second.get(keys[2]!)!;
    const filtered = await searchFeatureVectors(test.db, search(v2, query, { metadataContains: { shelf: 'even' }, excludeKeys: [keys[2]!] }));
    const filteredExact = await searchFeatureVectors(test.db, search(v2, query, { metadataContains: { shelf: 'even' }, excludeKeys: [keys[2]!], approximate: false }));
    expect(filtered.map((match) => match.entityKey)).toEqual(filteredExact.map((match) => match.entityKey));
    expect(filtered).toHaveLength(10);

    // The next small change is compared with v1 again (the root), so deltas accumulate ...
    const third = new Map(second);
    for (const key of keys.slice(8, 12)) third.set(key, randomVector());
    const v3 = await publish(third);
    expect(v3.annBaseVersionId).toBe(v1.id);
    // ... until they exceed the share: then the version gets indexes of its own.
    const fourth = new Map(third);
    for (const key of keys.slice(12, 40)) fourth.set(key, randomVector());
    const v4 = await publish(fourth);
    expect(v4.annBaseVersionId).toBeNull();
    const names = await indexNames();
    expect(names).toContain(featureVectorIndexName(v4.id, 'cosine'));
    expect(names).toContain(featureVectorIndexName(v4.id, 'inner_product'));
    const [self] = await searchFeatureVectors(test.db, search(v4, fourth.get(keys[20]!)!, { k: 1 }));
    expect(self?.entityKey).toBe(keys[20]);
  });

  it('builds indexes of its own for a version from another model version, and drops a failed version\'s', async () => {
    const other = await registerModelVersion(test.db, { name: 'ann-model', config: {}, artifacts: {}, weights: new Uint8Array(1) });
    const vectors = new Map(keys.slice(0, 50).map((key) => [key, randomVector()]));
    const fresh = await publish(vectors, other.id);
    expect(fresh.annBaseVersionId).toBeNull();
    expect(await indexNames()).toContain(featureVectorIndexName(fresh.id, 'cosine'));

    const pending = await createPendingVersion(test.db, 'item_ann', { modelVersionId: modelId });
    await writeFeatureValues(test.db, pending, [{ entityKey: keys[0]!, values: {}, vector: randomVector(), validFrom: '2025-01-01T00:00:00Z' }]);
    await test.db.transaction(async (tx) => {
      await tx.exec(`CREATE INDEX ${featureVectorIndexName(pending.id, 'cosine')} ON feature_value USING hnsw ((vector::vector(${DIM})) vector_cosine_ops) WHERE version_id = ${pending.id}`);
    });
    await failVersion(test.db, pending.id);
    expect(await indexNames()).not.toContain(featureVectorIndexName(pending.id, 'cosine'));
  });
});
