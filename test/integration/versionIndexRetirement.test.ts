import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEXED_VERSIONS } from '../../store/featureSets/versionIndexes.ts';
import { deprecateVersion, type FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import { featureVectorIndexName } from '../../store/sql/featureVectorIndex.ts';
import { searchFeatureVectors } from '../../store/sql/searchFeatureVectors.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';
import { vectorVersionFixture, type VectorVersionFixture } from '../support/vectorVersionFixture.ts';

const DIM = 4;
const ITEMS = 200;

/**
 * Publishing drops the HNSW indexes of versions no longer among the latest INDEXED_VERSIONS
 * published ones (or their ANN bases); those versions stay searchable, exactly.
 */
describe('retiring old versions\' vector indexes', () => {
  let test: TestDatabase;
  let fixture: VectorVersionFixture;
  let keys: readonly string[];
  const randomVector = () => fixture.randomVector();

  beforeAll(async () => {
    test = await openTestDatabase();
    fixture = await vectorVersionFixture(test.db, { featureSet: 'item_retire', model: 'retire-model', dimension: DIM, items: ITEMS });
    keys = fixture.keys;
  });
  afterAll(async () => {
    await test.dispose();
  });

  const publish = (vectors: ReadonlyMap<string, number[]>): Promise<FeatureSetVersionInfo> => fixture.publish(vectors);

  async function indexed(version: FeatureSetVersionInfo): Promise<boolean> {
    const names = [featureVectorIndexName(version.id, 'cosine'), featureVectorIndexName(version.id, 'inner_product')];
    const rows = await test.db.sql.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE indexname = ANY($1::text[])', [names]);
    expect([0, 2]).toContain(rows.length);
    return rows.length === 2;
  }

  const fresh = () => fixture.freshVectors();

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
