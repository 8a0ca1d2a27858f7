/**
 * Pair features that carry a COLLABORATIVE signal to items nobody has interacted with yet
 * (PairFeatures.ts): a cold item is mapped to its content neighbours among the items that do
 * have interactions, and those neighbours are scored for the user by user-based collaborative
 * filtering. Content kNN only asks "is this title like the titles in my library"; this asks
 * "do people whose libraries overlap mine save papers with titles like this one".
 *
 *   N(i)    = the k training items with the highest TF-IDF cosine to item i (i itself excluded)
 *   w(u, v) = |L(u) ∩ L(v)| / sqrt(|L(v)|)             over the other users v (v != u)
 *   S_u(j)  = sum_v w(u, v) [j in L(v)] / sum_v w(u, v) the share of u's neighbours that saved j
 *   neighbour_cf_mean = sum_{j in N(i)} cos(i, j) S_u(j) / sum_j cos(i, j);  neighbour_cf_max = max_j S_u(j)
 *
 * Leave-one-out, as in LibrarySimilarity.ts: when the row's item is in the user's library (a
 * training positive), it is removed from L(u) before the overlaps are counted, so the row looks
 * like a held-out item does at test time, where no user has saved it.
 */
import { buildPostings, type Posting } from '../baselines/postings.ts';
import type { SparseVector } from '../baselines/tfidf.ts';
import { TopK } from '../metrics/TopK.ts';
import { contentId } from './FeaturePipeline.ts';
import type { PairFeatures, PairRow } from './PairFeatures.ts';

export interface NeighbourCollaborativeOptions {
  /** Content neighbours per item; default 20. */
  readonly neighbours?: number;
}

interface Neighbours {
  readonly items: Int32Array;
  readonly similarities: Float64Array;
}

export class NeighbourCollaborative implements PairFeatures {
  readonly names = ['neighbour_cf_mean', 'neighbour_cf_max'] as const;
  readonly #k: number;
  readonly #vectors: ReadonlyMap<string, SparseVector>;
  /** Pool = the items of the libraries; these are the only possible neighbours. */
  readonly #poolIndex = new Map<string, number>();
  readonly #poolVectors: SparseVector[] = [];
  readonly #userIndex = new Map<string, number>();
  /** Pool indices of each user's library. */
  readonly #libraries: Int32Array[] = [];
  /** User indices of each pool item's savers, and the same as sets for membership tests. */
  readonly #savers: number[][] = [];
  readonly #saverSets: Set<number>[] = [];
  readonly #postings: Map<number, Posting>;
  readonly #neighbourCache = new Map<string, Neighbours>();

  /** `vectors`: unit TF-IDF vectors by item id; `libraries`: each user's training items. */
  constructor(vectors: ReadonlyMap<string, SparseVector>, libraries: ReadonlyMap<string, readonly string[]>, options: NeighbourCollaborativeOptions = {}) {
    const k = options.neighbours ?? 20;
    if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`neighbours must be a positive integer, got ${k}`);
    this.#k = k;
    this.#vectors = vectors;
    for (const [userId, items] of libraries) {
      const u = this.#userIndex.size;
      this.#userIndex.set(userId, u);
      const library = [...new Set(items)].map((itemId) => this.#poolItem(itemId));
      this.#libraries.push(Int32Array.from(library));
      for (const j of library) {
        this.#savers[j]!.push(u);
        this.#saverSets[j]!.add(u);
      }
    }
    this.#postings = buildPostings(this.#poolVectors);
  }

  compute(rows: readonly PairRow[]): Float32Array {
    const width = this.names.length;
    const out = new Float32Array(rows.length * width).fill(Number.NaN);
    const byUser = new Map<string, number[]>();
    rows.forEach((row, r) => {
      const userId = contentId(row.userId);
      const list = byUser.get(userId);
      if (list) list.push(r);
      else byUser.set(userId, [r]);
    });
    const pool = this.#poolVectors.length;
    const overlap = new Float64Array(this.#libraries.length);
    const shares = new Float64Array(pool);
    for (const [userId, indices] of byUser) {
      const u = this.#userIndex.get(userId);
      if (u === undefined || this.#libraries[u]!.length === 0) continue;
      const neighbours = this.#overlaps(u, overlap);
      const total = this.#shares(neighbours, overlap, shares);
      for (const r of indices) {
        const itemId = contentId(rows[r]!.itemId);
        const near = this.#neighbours(itemId);
        if (near.items.length === 0) continue;
        const self = this.#poolIndex.get(itemId);
        const correction = self !== undefined && this.#saverSets[self]!.has(u) ? this.#leaveOut(u, self, near) : undefined;
        const denominator = total + (correction?.total ?? 0);
        if (!(denominator > 0)) continue;
        let weighted = 0;
        let similarity = 0;
        let best = 0;
        for (let n = 0; n < near.items.length; n++) {
          const share = (shares[near.items[n]!]! + (correction?.byNeighbour[n] ?? 0)) / denominator;
          weighted += near.similarities[n]! * share;
          similarity += near.similarities[n]!;
          if (share > best) best = share;
        }
        out[r * width] = weighted / similarity;
        out[r * width + 1] = best;
      }
      for (const v of neighbours) overlap[v] = 0;
      shares.fill(0);
    }
    return out;
  }

  #poolItem(itemId: string): number {
    let j = this.#poolIndex.get(itemId);
    if (j === undefined) {
      j = this.#poolVectors.length;
      this.#poolIndex.set(itemId, j);
      this.#poolVectors.push(this.#vectors.get(itemId) ?? { indices: new Int32Array(0), values: new Float32Array(0) });
      this.#savers.push([]);
      this.#saverSets.push(new Set());
    }
    return j;
  }

  /** overlap[v] = |L(u) ∩ L(v)| for every other user v; returns the v with overlap > 0. */
  #overlaps(u: number, overlap: Float64Array): number[] {
    const touched: number[] = [];
    for (const j of this.#libraries[u]!) {
      for (const v of this.#savers[j]!) {
        if (v === u) continue;
        if (overlap[v] === 0) touched.push(v);
        overlap[v]!++;
      }
    }
    return touched;
  }

  /** shares[j] = sum_v w(u, v) [j in L(v)] (unnormalized); returns sum_v w(u, v). */
  #shares(neighbours: readonly number[], overlap: Float64Array, shares: Float64Array): number {
    let total = 0;
    for (const v of neighbours) {
      const library = this.#libraries[v]!;
      const w = overlap[v]! / Math.sqrt(library.length);
      total += w;
      for (const j of library) shares[j]! += w;
    }
    return total;
  }

  /**
   * The change of sum_v w and of each neighbour's share when `self` leaves u's library: every
   * other saver v of `self` loses one overlap, i.e. 1 / sqrt(|L(v)|) of weight.
   */
  #leaveOut(u: number, self: number, near: Neighbours): { total: number; byNeighbour: Float64Array } {
    const byNeighbour = new Float64Array(near.items.length);
    let total = 0;
    for (const v of this.#savers[self]!) {
      if (v === u) continue;
      const dw = -1 / Math.sqrt(this.#libraries[v]!.length);
      total += dw;
      for (let n = 0; n < near.items.length; n++) if (this.#saverSets[near.items[n]!]!.has(v)) byNeighbour[n]! += dw;
    }
    return { total, byNeighbour };
  }

  /** The k pool items most similar in content to `itemId` (itself excluded), cached. */
  #neighbours(itemId: string): Neighbours {
    const cached = this.#neighbourCache.get(itemId);
    if (cached) return cached;
    const vector = this.#vectors.get(itemId);
    const self = this.#poolIndex.get(itemId);
    const scores = new Map<number, number>();
    if (vector) {
      for (let t = 0; t < vector.indices.length; t++) {
        const posting = this.#postings.get(vector.indices[t]!);
        if (!posting) continue;
        const weight = vector.values[t]!;
        for (let p = 0; p < posting.documents.length; p++) {
          const j = posting.documents[p]!;
          if (j !== self) scores.set(j, (scores.get(j) ?? 0) + weight * posting.weights[p]!);
        }
      }
    }
    const top = topNeighbours(scores, this.#k);
    const result = { items: Int32Array.from(top, ({ id }) => id), similarities: Float64Array.from(top, ({ score }) => score) };
    this.#neighbourCache.set(itemId, result);
    return result;
  }
}

/**
 * The k most similar pool items (positive similarity only), best first; ties break by the lower
 * pool index, so the result does not depend on Map insertion order.
 */
function topNeighbours(scores: ReadonlyMap<number, number>, k: number): { id: number; score: number }[] {
  const best = new TopK(k);
  for (const [j, similarity] of scores) if (similarity > 0) best.offer(j, similarity);
  return best.sorted();
}
