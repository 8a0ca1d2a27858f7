import { describe, expect, it } from 'vitest';
import { makeRandom } from '../../../ml/model/seeds.ts';
import { ExactInnerProductIndex, type VectorRow } from '../../../ml/serving/ExactInnerProductIndex.ts';

/** Vectors whose norms spread widely, as synthesized item vectors' do, so that the norm bound matters. */
function rows(count: number, dimension: number, next: () => number): VectorRow[] {
  return Array.from({ length: count }, (_, i) => {
    const scale = 0.2 + 5 * next() ** 3;
    return { entityKey: `item-${i}`, vector: Array.from({ length: dimension }, () => (next() - 0.5) * scale) };
  });
}

function bruteForce(data: VectorRow[], query: number[], k: number, exclude: Set<string>): string[] {
  return data
    .filter((row) => !exclude.has(row.entityKey))
    .map((row) => ({ key: row.entityKey, dot: Array.from(row.vector).reduce((sum, x, j) => sum + x * query[j]!, 0) }))
    .sort((a, b) => b.dot - a.dot)
    .slice(0, k)
    .map((match) => match.key);
}

describe('exact in-memory inner-product retrieval', () => {
  const next = makeRandom(7);
  const data = rows(3_000, 16, next);
  const index = new ExactInnerProductIndex(16, data);

  it('returns exactly the k largest inner products, nearest first, as negative-inner-product distances', () => {
    for (let trial = 0; trial < 20; trial++) {
      const query = Array.from({ length: 16 }, () => next() - 0.5);
      const matches = index.search(query, 50);
      expect(matches.map((match) => match.entityKey)).toEqual(bruteForce(data, query, 50, new Set()));
      const first = data.find((row) => row.entityKey === matches[0]!.entityKey)!;
      expect(matches[0]!.distance).toBeCloseTo(-Array.from(first.vector).reduce((sum, x, j) => sum + x * query[j]!, 0), 4);
      for (let i = 1; i < matches.length; i++) expect(matches[i]!.distance).toBeGreaterThanOrEqual(matches[i - 1]!.distance);
    }
  });

  it('never returns excluded keys and still fills k from the rest', () => {
    const query = Array.from({ length: 16 }, () => next() - 0.5);
    const top = index.search(query, 30).map((match) => match.entityKey);
    const exclude = [...top.slice(0, 10), 'not-an-item'];
    const matches = index.search(query, 30, exclude).map((match) => match.entityKey);
    expect(matches).toHaveLength(30);
    expect(matches.some((key) => exclude.includes(key))).toBe(false);
    expect(matches).toEqual(bruteForce(data, query, 30, new Set(exclude)));
  });

  it('stays exact when most rows are pruned by the bound over the leading rotated coordinates', () => {
    // Vectors sharing one strong direction, as synthesized item vectors do: few coordinates carry the energy.
    const direction = Array.from({ length: 24 }, () => next() - 0.5);
    const skewed = Array.from({ length: 4_000 }, (_, i) => {
      const along = 1 + 4 * next();
      return { entityKey: `s-${i}`, vector: direction.map((x) => x * along + (next() - 0.5) * 0.05) };
    });
    const skewedIndex = new ExactInnerProductIndex(24, skewed);
    expect(skewedIndex.leading).toBeLessThan(24);
    for (let trial = 0; trial < 10; trial++) {
      const query = Array.from({ length: 24 }, () => next() - 0.5);
      const exclude = new Set([`s-${trial}`, `s-${trial * 7}`]);
      expect(skewedIndex.search(query, 20, [...exclude]).map((match) => match.entityKey)).toEqual(bruteForce(skewed, query, 20, exclude));
    }
  });

  it('returns every row when k exceeds the index, and refuses a query of another dimension', () => {
    const small = new ExactInnerProductIndex(2, [
      { entityKey: 'a', vector: [1, 0] },
      { entityKey: 'b', vector: [0, 3] },
    ]);
    expect(small.search([1, 1], 10).map((match) => match.entityKey)).toEqual(['b', 'a']);
    expect(() => small.search([1, 1, 1], 1)).toThrow(/3 dimensions/);
    expect(() => new ExactInnerProductIndex(2, [{ entityKey: 'c', vector: [1] }])).toThrow(/entity c/);
  });
});
