import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../ml/model/seeds.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { INDEXED_VERSIONS } from '../../store/featureSets/versionIndexes.ts';
import { createPendingVersion, deprecateVersion, publishVersion, writeFeatureValues, type FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import { registerModelVersion } from '../../store/registry/modelVersions.ts';
import { featureVectorIndexName } from '../../store/sql/featureVectorIndex.ts';
import { searchFeatureVectors } from '../../store/sql/searchFeatureVectors.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

const DIM = 4;
const ITEMS = 200;

/**
 * Publishing drops the HNSW indexes of versions no longer among the latest INDEXED_VERSIONS
 * published ones (or their ANN bases); those versions stay searchable, exactly.
 */
describe('retiring old versions\' vector indexes', () => {
  let test: TestDatabase;
  let modelId: number;
  const random = makeRandom(11);
  const randomVector = () => Array.from({ length: DIM }, () => random() * 2 - 1);
  const keys = Array.from({ length: ITEMS }, (_, i) => `item-${i}`);

  beforeAll(async () => {
    test = await openTestDatabase();
    await upsertEntities(test.db.sql, 'item', keys.map((externalId) => ({ externalId, metadata: {} })));
    modelId = (await registerModelVersion(test.db, { name: 'retire-model', config: {}, artifacts: {}, weights: new Uint8Array(1) })).id;
    await registerFeatureSet(test.db, {
      name: 'item_retire', entityType: 'item', kind: 'synthesized', owner: 'team-recs', source: { model: 'retire-model' },
      features: [{ name: 'synthetic', type: 'vector', dimension: DIM }],
    });
  });
  afterAll(async () => {
    await test.dispose();
  });

  async function publish(vectors: ReadonlyMap<string, number[]>): Promise<FeatureSetVersionInfo> {
    const version = await createPendingVersion(test.db, 'item_retire', { modelVersionId: modelId });
    await writeFeatureValues(test.db, version, [...vectors].map(([entityKey, vector]) => ({ entityKey, values: {}, vector, validFrom: '2025-01-01T00:00:00Z' })));
    return publishVersion(test.db, version.id);
  }

  async function indexed(version: FeatureSetVersionInfo): Promise<boolean> {
    const names = [featureVectorIndexName(version.id, 'cosine'), featureVectorIndexName(version.id, 'inner_product')];
    const rows = await test.db.sql.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE indexname = ANY($1::text[])', [names]);
    expect([0, 2]).toContain(rows.length);
    return rows.length === 2;
  }

  const fresh = () => new Map(keys.map((key) => [key, randomVector()]));

  it('keeps the indexes of the latest versions and of their ANN base, and drops the rest', async () => {
    expect(INDEXED_VERSIONS).toBe(2);
    const v1 = await publish(fresh());
    const v2 = await publish(fresh());
    expect([await indexed(v1), await indexed(v2)]).toEqual([true, true]);
    const third = fresh();
    const v3 = await publish(third);
    expect([await indexed(v1), await indexed(v2), await indexed(v3)]).toEqual([false, true, true]);

    // Two small deltas of v3 are searched through v3's indexes: v3 keeps them as their base.
    const fourth = new Map(third).set(keys[0]!, randomVector());
    const v4 = await publish(fourth);
    expect(v4.annBaseVersionId).toBe(v3.id);
    const v5 = await publish(new Map(fourth).set(keys[1]!, randomVector()));
    expect(v5.annBaseVersionId).toBe(v3.id);
    expect([await indexed(v2), await indexed(v3)]).toEqual([false, true]);

    // Deprecating the latest makes the one before it latest: its base's indexes are still there.
    await deprecateVersion(test.db, v5.id);
    expect(await indexed(v3)).toBe(true);

    // A version without indexes answers by exact scan: the same neighbours as the exact search.
    for (const version of [v1, v2]) {
      for (const metric of ['cosine', 'inner_product'] as const) {
        const query = randomVector();
        const search = { versionId: version.id, dimension: DIM, entityType: 'item' as const, query, k: 10, metric };
        const found = await searchFeatureVectors(test.db, search);
        const exact = await searchFeatureVectors(test.db, { ...search, approximate: false });
        expect(found).toHaveLength(10);
        expect(found.map((match) => match.entityKey)).toEqual(exact.map((match) => match.entityKey));
      }
    }
  });
});
