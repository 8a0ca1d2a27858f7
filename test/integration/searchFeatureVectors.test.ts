import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../ml/model/seeds.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { createPendingVersion, publishVersion, writeFeatureValues } from '../../store/featureSets/versions.ts';
import { registerModelVersion } from '../../store/registry/modelVersions.ts';
import { distanceOperator, featureVectorIndexName, indexedVectorSql, queryVectorSql } from '../../store/sql/featureVectorIndex.ts';
import { searchFeatureVectors, type VectorSearch } from '../../store/sql/searchFeatureVectors.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';

const DIM = 8;
const ITEMS = 400;
const GENRES = ['drama', 'comedy', 'noir'];

describe('nearest-neighbour search over a feature set version', () => {
  let test: TestDatabase;
  let versionId: number;
  const random = makeRandom(11);
  const vectors = new Map<string, number[]>();
  const genreOf = (i: number) => GENRES[i % GENRES.length]!;

  beforeAll(async () => {
    test = await openTestDatabase();
    const keys = Array.from({ length: ITEMS }, (_, i) => `item-${i}`);
    for (const key of keys) vectors.set(key, Array.from({ length: DIM }, () => random() * 2 - 1));
    await upsertEntities(test.db.sql, 'item', keys.map((externalId, i) => ({ externalId, metadata: { genre: genreOf(i) } })));
    // Synthesized sets come from a model version; this one is only the lineage record the version points at.
    const model = await registerModelVersion(test.db, { name: 'search-model', config: {}, artifacts: {}, weights: new Uint8Array(1) });
    await registerFeatureSet(test.db, {
      name: 'item_vectors', entityType: 'item', kind: 'synthesized', owner: 'team-recs', source: { model: 'search-model' },
      features: [{ name: 'synthetic', type: 'vector', dimension: DIM }],
    });
    const version = await createPendingVersion(test.db, 'item_vectors', { modelVersionId: model.id });
    await writeFeatureValues(test.db, version, keys.map((entityKey) => ({ entityKey, values: {}, vector: vectors.get(entityKey)!, validFrom: '2025-01-01T00:00:00Z' })));
    versionId = (await publishVersion(test.db, version.id)).id;
  });
  afterAll(async () => {
    await test.dispose();
  });

  const base = (query: number[], overrides: Partial<VectorSearch> = {}): VectorSearch => ({
    versionId, dimension: DIM, entityType: 'item', query, k: 10, metric: 'cosine', ...overrides,
  });

  function bruteForce(query: number[], metric: 'cosine' | 'inner_product', keep: (key: string) => boolean = () => true): string[] {
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    return [...vectors.entries()]
      .filter(([key]) => keep(key))
      .map(([key, v]) => [key, metric === 'cosine' ? 1 - dot(query, v) / (norm(query) * norm(v)) : -dot(query, v)] as const)
      .sort((a, b) => a[1] - b[1])
      .slice(0, 10)
      .map(([key]) => key);
  }

  it('publishing a synthesized item version indexes it for cosine and inner-product search', async () => {
    const rows = await test.db.sql.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE tablename = $1', ['feature_value']);
    const names = rows.map((row) => row.indexname);
    expect(names).toContain(featureVectorIndexName(versionId, 'cosine'));
    expect(names).toContain(featureVectorIndexName(versionId, 'inner_product'));
  });

  it.each(['cosine', 'inner_product'] as const)('exact %s search matches brute force, and HNSW finds nearly the same neighbours', async (metric) => {
    let overlap = 0;
    for (let q = 0; q < 5; q++) {
      const query = Array.from({ length: DIM }, () => random() * 2 - 1);
      const exact = await searchFeatureVectors(test.db, base(query, { metric, approximate: false }));
      expect(exact.map((match) => match.entityKey)).toEqual(bruteForce(query, metric));
      const distances = exact.map((match) => match.distance);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      const approximate = await searchFeatureVectors(test.db, base(query, { metric, efSearch: 200 }));
      const found = new Set(approximate.map((match) => match.entityKey));
      overlap += exact.filter((match) => found.has(match.entityKey)).length;
    }
    expect(overlap / 50).toBeGreaterThanOrEqual(0.9);
  });

  it.each(['cosine', 'inner_product'] as const)('%s searches order by the expression the version\'s HNSW index is built over', async (metric) => {
    const [row] = await test.db.sql.query<{ ip_norm: number | null }>('SELECT ann_ip_norm AS ip_norm FROM feature_set_version WHERE id = $1', [versionId]);
    if (metric === 'inner_product') expect(row?.ip_norm).toBeGreaterThan(0);
    const ipNorm = row?.ip_norm === null || row?.ip_norm === undefined ? null : Number(row.ip_norm);
    await test.db.sql.exec('ANALYZE feature_value');
    const plan = await test.db.transaction(async (tx) => {
      // Small table: without a sort the only ordered path is the HNSW index, if the expressions match.
      await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off');
      return tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT fv.entity_key FROM feature_value fv WHERE fv.version_id = ${versionId}
          ORDER BY ${indexedVectorSql('fv.vector', DIM, metric, ipNorm)} ${distanceOperator(metric)} ${queryVectorSql('$1', DIM, metric, ipNorm)} LIMIT 10`,
        [`[${vectors.get('item-1')!.join(',')}]`],
      );
    });
    expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toContain(`Index Scan using ${featureVectorIndexName(versionId, metric)}`);
  });

  it('leaves out excluded keys and filters by metadata during the scan, still returning k rows', async () => {
    const query = vectors.get('item-3')!;
    const excluded = await searchFeatureVectors(test.db, base(query, { excludeKeys: ['item-3', 'item-6'] }));
    expect(excluded).toHaveLength(10);
    expect(excluded.map((match) => match.entityKey)).not.toContain('item-3');
    const filtered = await searchFeatureVectors(test.db, base(query, { metadataContains: { genre: 'noir' }, approximate: false }));
    expect(filtered.map((match) => match.entityKey)).toEqual(bruteForce(query, 'cosine', (key) => genreOf(Number(key.slice(5))) === 'noir'));
    const approximateFiltered = await searchFeatureVectors(test.db, base(query, { metadataContains: { genre: 'noir' } }));
    expect(approximateFiltered).toHaveLength(10);
    expect(approximateFiltered.every((match) => genreOf(Number(match.entityKey.slice(5))) === 'noir')).toBe(true);
  });

  it('refuses queries of the wrong dimension, non-finite components and bad k', async () => {
    await expect(searchFeatureVectors(test.db, base([1, 2]))).rejects.toThrow(/2 dimensions; .* 8/);
    await expect(searchFeatureVectors(test.db, base([Number.NaN, 0, 0, 0, 0, 0, 0, 0]))).rejects.toThrow(/component 0 is NaN/);
    await expect(searchFeatureVectors(test.db, base(vectors.get('item-1')!, { k: 0 }))).rejects.toThrow(/k must be a positive integer/);
  });
});
