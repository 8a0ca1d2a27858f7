import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPartitionEntities } from '../../store/sql/readPartitionEntities.ts';
import { openTestDatabase, type TestDatabase } from '../support/testDatabase.ts';
import { itemKey, seedItems } from '../support/materializeFixtures.ts';

const N = 300;

describe('partition reads', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase();
    await seedItems(test.db, N, 'parts');
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it.each([1, 3, 7])('%i partitions read every entity exactly once, page by page, along the partition-hash index', async (partitions) => {
    const seen: string[] = [];
    const sizes: number[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      for await (const page of readPartitionEntities(test.db.sql, 'item', { partition, partitions, modalities: ['image'], metadataIsInput: true, requiredModality: null, batchSize: 17 })) {
        expect(page.length).toBeLessThanOrEqual(17);
        expect(page.every((entity) => entity.vectors.image?.length === 4)).toBe(true);
        seen.push(...page.map((entity) => entity.externalId));
      }
      sizes.push(seen.length - sizes.reduce((sum, size) => sum + size, 0));
    }
    expect(seen.length).toBe(N);
    expect(new Set(seen)).toEqual(new Set(Array.from({ length: N }, (_, i) => itemKey(i))));
    // A hash spreads the entities: no partition is empty or holds most of them.
    if (partitions > 1) expect(Math.max(...sizes)).toBeLessThan(N / partitions * 2);
  });

  it('uses the partition-hash index rather than hashing every row', async () => {
    const rows = await test.db.sql.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM item e WHERE (hashtextextended(e.external_id, 0) & 9223372036854775807) BETWEEN 0 AND 1000 ORDER BY (hashtextextended(e.external_id, 0) & 9223372036854775807), e.id LIMIT 10`,
    );
    expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/item_partition_hash_idx/);
  });
});
