import { describe, expect, it } from 'vitest';
import { simdDotScanSupported } from '../../../ml/kernels/simdDotScan.ts';
import { makeRandom } from '../../../ml/model/seeds.ts';
import { ExactInnerProductIndex, type InnerProductMatch, type VectorRow } from '../../../ml/serving/ExactInnerProductIndex.ts';
import { createInnerProductScan, GROUP_ROWS, type InnerProductScanFactory } from '../../../ml/serving/InnerProductScan.ts';
import { JsInnerProductScan } from '../../../ml/serving/JsInnerProductScan.ts';
import { SimdInnerProductScan } from '../../../ml/serving/SimdInnerProductScan.ts';

const SCANS: [string, InnerProductScanFactory][] = [
  ['wasm SIMD', (dimension, vectors) => new SimdInnerProductScan(dimension, vectors)],
  ['plain JS', (dimension, vectors) => new JsInnerProductScan(dimension, vectors)],
];

/** Float32-representable values, so that the only rounding left is the scan's own accumulation. */
const f32 = (values: number[]): number[] => values.map(Math.fround);

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j]! * b[j]!;
  return sum;
}

/** Vectors whose norms spread widely, as synthesized item vectors' do. */
function rows(count: number, dimension: number, next: () => number, prefix = 'item'): VectorRow[] {
  return Array.from({ length: count }, (_, i) => {
    const scale = 0.2 + 5 * next() ** 3;
    return { entityKey: `${prefix}-${i}`, vector: f32(Array.from({ length: dimension }, () => (next() - 0.5) * scale)) };
  });
}

/** Float32 accumulation error bound of any score, with room: d roundings of terms at most |x| |q|. */
function tolerance(data: readonly VectorRow[], query: readonly number[]): number {
  const queryNorm = Math.sqrt(dot(query, query));
  const largestNorm = Math.max(0, ...data.map((row) => Math.sqrt(dot(row.vector, row.vector))));
  return 4 * query.length * 2 ** -24 * largestNorm * queryNorm;
}

/**
 * The index's answer against a float64 brute force: the rows it returns must be distinct, not
 * excluded, as many as there are to return, and at each rank their true score must be the
 * brute-force score of that rank within float32 rounding (rows tied within it may swap).
 */
function expectBruteForceRanking(matches: InnerProductMatch[], data: readonly VectorRow[], query: number[], k: number, exclude: readonly string[] = []): void {
  const excluded = new Set(exclude);
  const trueScore = new Map(data.map((row) => [row.entityKey, dot(row.vector, query)]));
  const expected = data.filter((row) => !excluded.has(row.entityKey)).map((row) => trueScore.get(row.entityKey)!).sort((a, b) => b - a).slice(0, k);
  const keys = matches.map((match) => match.entityKey);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys.filter((key) => excluded.has(key))).toEqual([]);
  expect(keys).toHaveLength(expected.length);
  const epsilon = tolerance(data, query);
  matches.forEach((match, rank) => {
    const score = trueScore.get(match.entityKey)!;
    if (Math.abs(score - expected[rank]!) > epsilon) expect.fail(`rank ${rank}: ${match.entityKey} scores ${score}, the brute force's score there is ${expected[rank]} (tolerance ${epsilon})`);
    if (Math.abs(-match.distance - score) > epsilon) expect.fail(`rank ${rank}: distance ${match.distance} for a score of ${score}`);
    if (rank > 0) expect(match.distance).toBeGreaterThanOrEqual(matches[rank - 1]!.distance);
  });
}

/** Each group's best is its rows' best score; the padded last group's may only be higher. */
function expectGroupBests(scores: Float32Array, groupBest: Float32Array): void {
  expect(groupBest).toHaveLength(Math.ceil(scores.length / GROUP_ROWS));
  groupBest.forEach((reported, group) => {
    const rows = scores.subarray(group * GROUP_ROWS, (group + 1) * GROUP_ROWS);
    const actual = Math.max(...rows);
    if (rows.length === GROUP_ROWS) expect(reported).toBe(actual);
    else expect(reported).toBeGreaterThanOrEqual(actual);
  });
}

describe('the inner-product scans', () => {
  it('is the wasm SIMD scan wherever the runtime validates the module (Node 24 does)', () => {
    expect(simdDotScanSupported()).toBe(true);
    expect(createInnerProductScan(3, [[1, 2, 3]])).toBeInstanceOf(SimdInnerProductScan);
  });

  describe.each(SCANS)('%s', (_, createScan) => {
    it('scores every row against a float64 brute force, for n and d not multiples of 4', () => {
      const next = makeRandom(3);
      for (const [count, dimension] of [[1, 1], [5, 3], [103, 7], [64, 32], [30, 33], [16, 4]] as const) {
        const data = rows(count, dimension, next);
        const scan = createScan(dimension, data.map((row) => row.vector));
        for (let trial = 0; trial < 3; trial++) {
          const query = f32(Array.from({ length: dimension }, () => next() - 0.5));
          const { scores, groupBest } = scan.scores(query);
          const epsilon = tolerance(data, query);
          expect(scores).toHaveLength(count);
          data.forEach((row, r) => expect(Math.abs(scores[r]! - dot(row.vector, query))).toBeLessThanOrEqual(epsilon));
          expectGroupBests(scores, groupBest);
        }
        data.forEach((row, r) => expect(Array.from(scan.vector(r))).toEqual(row.vector));
      }
    });

    it('scores nothing for an empty set', () => {
      const { scores, groupBest } = createScan(4, []).scores([1, 2, 3, 4]);
      expect([scores.length, groupBest.length]).toEqual([0, 0]);
    });
  });
});

describe.each(SCANS)('exact in-memory inner-product retrieval over the %s scan', (_, createScan) => {
  const next = makeRandom(7);
  const data = rows(3_001, 16, next);
  const index = new ExactInnerProductIndex(16, data, createScan);

  it('returns the k largest inner products, nearest first, as negative-inner-product distances', () => {
    for (let trial = 0; trial < 20; trial++) {
      const query = f32(Array.from({ length: 16 }, () => next() - 0.5));
      expectBruteForceRanking(index.search(query, 50), data, query, 50);
    }
  });

  it('never returns excluded keys and still fills k from the rest', () => {
    const query = f32(Array.from({ length: 16 }, () => next() - 0.5));
    const top = index.search(query, 30).map((match) => match.entityKey);
    const exclude = [...top.slice(0, 10), 'not-an-item'];
    const matches = index.search(query, 30, exclude);
    expect(matches.map((match) => match.entityKey).filter((key) => top.slice(10).includes(key))).toEqual(top.slice(10));
    expectBruteForceRanking(matches, data, query, 30, exclude);
  });

  it('stays exact for queries outside the subspace the item vectors lie in', () => {
    // Items along one strong direction, as synthesized item vectors largely are; queries orthogonal to it rank by the faint rest.
    const dimension = 24;
    const direction = Array.from({ length: dimension }, () => next() - 0.5);
    const skewed = Array.from({ length: 4_003 }, (_, i) => {
      const along = 1 + 4 * next();
      return { entityKey: `s-${i}`, vector: f32(direction.map((x) => x * along + (next() - 0.5) * 0.05)) };
    });
    const skewedIndex = new ExactInnerProductIndex(dimension, skewed, createScan);
    const directionNorm2 = dot(direction, direction);
    for (let trial = 0; trial < 10; trial++) {
      const random = Array.from({ length: dimension }, () => next() - 0.5);
      const along = dot(random, direction) / directionNorm2;
      const query = f32(random.map((x, j) => x - along * direction[j]!));
      const exclude = [`s-${trial}`, `s-${trial * 7}`];
      expectBruteForceRanking(skewedIndex.search(query, 20, exclude), skewed, query, 20, exclude);
    }
  });

  it('returns every remaining row when k exceeds them, in order', () => {
    const few = rows(10, 5, next, 'few');
    const fewIndex = new ExactInnerProductIndex(5, few, createScan);
    const query = f32([0.3, -0.2, 0.5, 0.1, -0.4]);
    const exclude = ['few-0', 'few-4', 'few-9'];
    expectBruteForceRanking(fewIndex.search(query, 20, exclude), few, query, 20, exclude);
    const small = new ExactInnerProductIndex(2, [
      { entityKey: 'a', vector: [1, 0] },
      { entityKey: 'b', vector: [0, 3] },
    ], createScan);
    expect(small.search([1, 1], 10)).toEqual([
      { entityKey: 'b', distance: -3 },
      { entityKey: 'a', distance: -1 },
    ]);
  });

  it('gives back the vectors it holds, so that its candidates need no second read', () => {
    for (const row of [data[0]!, data[1_234]!, data[3_000]!]) expect(Array.from(index.vectorOf(row.entityKey)!)).toEqual(row.vector);
    expect(index.vectorOf('not-an-item')).toBeUndefined();
  });

  it('answers nothing from an empty index', () => {
    const empty = new ExactInnerProductIndex(8, [], createScan);
    expect(empty.size).toBe(0);
    expect(empty.search(new Array<number>(8).fill(1), 5)).toEqual([]);
  });

  it('refuses a query of another dimension and a vector of another dimension', () => {
    const small = new ExactInnerProductIndex(2, [{ entityKey: 'a', vector: [1, 0] }], createScan);
    expect(() => small.search([1, 1, 1], 1)).toThrow(/3 dimensions/);
    expect(() => new ExactInnerProductIndex(2, [{ entityKey: 'c', vector: [1] }], createScan)).toThrow(/entity c/);
  });
});
