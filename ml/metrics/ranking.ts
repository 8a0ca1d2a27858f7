/**
 * Top-k ranking metrics with binary relevance.
 * - Recall@k = |relevant in top k| / |relevant| (the CDL / DropoutNet definition; the
 *   denominator is not capped at k, so a user with more than k relevant items cannot reach 1).
 * - NDCG@k = DCG@k / IDCG@k with DCG@k = sum over ranks r <= k of rel_r / log2(r + 1) and
 *   IDCG@k the DCG of a perfect ranking (min(k, |relevant|) hits at the top).
 * Averages are taken over users with at least one relevant item; others are skipped.
 */
import { TopK } from './TopK.ts';

export function recallAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return Number.NaN;
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r]!)) hits++;
  return hits / relevant.size;
}

export function ndcgAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return Number.NaN;
  let dcg = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  let ideal = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
  return dcg / ideal;
}

export interface RankingMetrics {
  readonly k: number;
  readonly recall: number;
  readonly ndcg: number;
  /** Users averaged over: those with at least one relevant item. */
  readonly users: number;
}

/** Mean Recall@k and NDCG@k over users with at least one relevant item. */
export function evaluateRanking<T>(
  perUser: Iterable<{ readonly ranked: readonly T[]; readonly relevant: ReadonlySet<T> }>,
  k: number,
): RankingMetrics {
  const accumulator = new RankingAccumulator(k);
  for (const { ranked, relevant } of perUser) accumulator.add(ranked, relevant);
  return accumulator.result();
}

/** Accumulates per-user metrics, for evaluation loops that rank one user at a time. */
export class RankingAccumulator {
  readonly k: number;
  #recall = 0;
  #ndcg = 0;
  #users = 0;

  constructor(k: number) {
    checkK(k);
    this.k = k;
  }

  add<T>(ranked: readonly T[], relevant: ReadonlySet<T>): void {
    if (relevant.size === 0) return;
    this.#recall += recallAtK(ranked, relevant, this.k);
    this.#ndcg += ndcgAtK(ranked, relevant, this.k);
    this.#users++;
  }

  result(): RankingMetrics {
    const users = this.#users;
    return { k: this.k, recall: users ? this.#recall / users : Number.NaN, ndcg: users ? this.#ndcg / users : Number.NaN, users };
  }
}

/** Indices of the k highest scores, best first; ties go to the lower index, so rankings are deterministic. */
export function topK(scores: ArrayLike<number>, k: number): Int32Array {
  checkK(k);
  const best = new TopK(Math.max(1, Math.min(k, scores.length)));
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) throw new RangeError(`topK: score ${i} is NaN`);
    best.offer(i, scores[i]!);
  }
  return Int32Array.from(best.sorted(), (entry) => entry.id);
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
}
