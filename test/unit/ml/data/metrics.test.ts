import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../../ml/metrics/auc.ts';
import { logLoss, logLossFromLogits } from '../../../../ml/metrics/logloss.ts';
import { evaluateRanking, ndcgAtK, recallAtK, topK } from '../../../../ml/metrics/ranking.ts';
import { Random } from '../../../../store/demo/random.ts';

/** AUC by counting all positive-negative pairs. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('rocAuc', () => {
  it('matches hand-computed values, ties counting one half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([1, 2, 3], [0, 1, 1])).toBe(1);
    expect(rocAuc([3, 2, 1], [0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // positives 0.5, 0.9; negatives 0.5, 0.1: pairs (0.5>0.1)=1, (0.5=0.5)=0.5, 0.9 beats both = 2 -> 3.5/4
    expect(rocAuc([0.5, 0.9, 0.5, 0.1], [1, 1, 0, 0])).toBe(0.875);
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
  });

  it('agrees with the pairwise definition on random data with many ties', () => {
    const random = new Random(1);
    for (let trial = 0; trial < 10; trial++) {
      const scores = Array.from({ length: 200 }, () => random.int(20) / 4);
      const labels = Array.from({ length: 200 }, () => (random.chance(0.3) ? 1 : 0));
      expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
    }
  });

  it('rejects labels other than 0/1 and NaN scores', () => {
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(/0 or 1/);
    expect(() => rocAuc([NaN, 2], [0, 1])).toThrow(/NaN/);
  });
});

describe('logLoss', () => {
  it('is the mean binary cross-entropy', () => {
    expect(logLoss([0.5, 0.5], [1, 0])).toBeCloseTo(Math.log(2), 12);
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-15), 6); // clipped, finite
    expect(logLossFromLogits([0, Math.log(9)], [1, 1])).toBeCloseTo(-(Math.log(0.5) + Math.log(0.9)) / 2, 12);
    expect(logLossFromLogits([1000], [0])).toBeCloseTo(1000, 6);
  });
});

describe('ranking metrics', () => {
  const relevant = new Set(['a', 'c', 'x']);
  const ranked = ['a', 'b', 'c', 'd'];

  it('computes Recall@k over all relevant items and NDCG@k with binary relevance', () => {
    expect(recallAtK(ranked, relevant, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(ranked, relevant, 4)).toBeCloseTo(2 / 3, 12);
    // DCG@3 = 1/log2(2) + 1/log2(4) = 1.5; IDCG@3 = 1 + 1/log2(3) + 1/log2(4)
    expect(ndcgAtK(ranked, relevant, 3)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3) + 0.5), 12);
    // IDCG@1 = 1
    expect(ndcgAtK(['b', 'a'], relevant, 1)).toBe(0);
    expect(ndcgAtK(['a', 'b'], relevant, 1)).toBe(1);
    expect(recallAtK(ranked, new Set(), 2)).toBeNaN();
  });

  it('averages over users with at least one relevant item', () => {
    const result = evaluateRanking(
      [
        { ranked: ['a', 'b'], relevant: new Set(['a']) }, // recall 1, ndcg 1
        { ranked: ['a', 'b'], relevant: new Set(['b']) }, // recall 1, ndcg 1/log2(3)
        { ranked: ['a', 'b'], relevant: new Set<string>() }, // skipped
      ],
      2,
    );
    expect(result.users).toBe(2);
    expect(result.recall).toBe(1);
    expect(result.ndcg).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
  });

  it('selects the top k indices, best first, ties by lower index', () => {
    expect([...topK([0.1, 0.9, 0.5, 0.9, 0.3], 3)]).toEqual([1, 3, 2]);
    expect([...topK([1, 1, 1], 2)]).toEqual([0, 1]);
    expect([...topK([2, 1], 5)]).toEqual([0, 1]);
    const random = new Random(4);
    const scores = Array.from({ length: 1000 }, () => random.int(50));
    const expected = scores.map((score, index) => ({ score, index })).sort((a, b) => b.score - a.score || a.index - b.index).slice(0, 20).map((entry) => entry.index);
    expect([...topK(scores, 20)]).toEqual(expected);
  });
});
