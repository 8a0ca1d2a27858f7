/**
 * Content kNN for strict item cold start: a cold item is scored for a user by the TF-IDF
 * cosine similarity of its title to the titles of the user's library (training items).
 *
 * How library similarities become one score (`aggregate`):
 * - "centroid" (default): cosine to the sum of the library's unit vectors. For one user this
 *   ranks exactly like the MEAN cosine to the library items (the centroid's norm is a constant
 *   per user), so it is the mean-similarity kNN over the whole library, computed in one pass.
 * - "max": the best cosine to any single library item (1-nearest neighbour); rewards users
 *   with several distinct interests, but is noisier.
 * - { topK: k }: the mean of the k highest cosines to library items.
 * Candidates with equal scores rank by their position in the candidate list.
 */
import { topK as topIndices } from '../metrics/ranking.ts';
import { buildPostings, type Posting } from './postings.ts';
import type { SparseVector } from './tfidf.ts';

export type LibraryAggregate = 'centroid' | 'max' | { readonly topK: number };

export interface ContentKnnOptions {
  readonly aggregate?: LibraryAggregate;
}

export class ContentKnn {
  readonly candidateIds: readonly string[];
  readonly #aggregate: LibraryAggregate;
  /** Inverted index over the candidates: term -> (candidate, weight) postings. */
  readonly #postings: Map<number, Posting>;

  /** `candidates`: the items to rank (e.g. all held-out items) with their TF-IDF vectors. */
  constructor(candidates: readonly { readonly id: string; readonly vector: SparseVector }[], options: ContentKnnOptions = {}) {
    const aggregate = options.aggregate ?? 'centroid';
    if (typeof aggregate === 'object' && !(Number.isInteger(aggregate.topK) && aggregate.topK >= 1)) {
      throw new RangeError(`aggregate.topK must be a positive integer, got ${aggregate.topK}`);
    }
    this.#aggregate = aggregate;
    this.candidateIds = candidates.map((candidate) => candidate.id);
    this.#postings = buildPostings(candidates.map((candidate) => candidate.vector));
  }

  /** One score per candidate (in candidate order) for a user with this library. */
  score(library: readonly SparseVector[]): Float64Array {
    const n = this.candidateIds.length;
    const aggregate = this.#aggregate;
    if (aggregate === 'centroid') {
      const centroid = new Map<number, number>();
      for (const vector of library) {
        for (let k = 0; k < vector.indices.length; k++) {
          centroid.set(vector.indices[k]!, (centroid.get(vector.indices[k]!) ?? 0) + vector.values[k]!);
        }
      }
      let norm = 0;
      for (const weight of centroid.values()) norm += weight * weight;
      const scores = this.#dot(centroid.entries());
      if (norm > 0) for (let c = 0; c < n; c++) scores[c]! /= Math.sqrt(norm);
      return scores;
    }
    const k = aggregate === 'max' ? 1 : aggregate.topK;
    // best[c * k + j]: the j-th highest similarity of candidate c so far (descending).
    const best = new Float64Array(n * k);
    const similarities = new Float64Array(n);
    const touched: number[] = [];
    for (const vector of library) {
      touched.length = 0;
      for (let t = 0; t < vector.indices.length; t++) {
        const posting = this.#postings.get(vector.indices[t]!);
        if (!posting) continue;
        const weight = vector.values[t]!;
        for (let p = 0; p < posting.documents.length; p++) {
          const c = posting.documents[p]!;
          if (similarities[c] === 0) touched.push(c);
          similarities[c]! += weight * posting.weights[p]!;
        }
      }
      // Only candidates sharing a term have a similarity above 0, the floor `best` starts at.
      for (const c of touched) {
        let s = similarities[c]!;
        similarities[c] = 0;
        for (let j = c * k; j < (c + 1) * k; j++) {
          if (s > best[j]!) [best[j], s] = [s, best[j]!];
        }
      }
    }
    const scores = new Float64Array(n);
    const count = Math.max(1, Math.min(k, library.length));
    for (let c = 0; c < n; c++) {
      let sum = 0;
      for (let j = c * k; j < c * k + count; j++) sum += best[j]!;
      scores[c] = sum / count;
    }
    return scores;
  }

  /** The ids of the k best candidates for a library, best first. */
  rank(library: readonly SparseVector[], k: number): string[] {
    return [...topIndices(this.score(library), k)].map((c) => this.candidateIds[c]!);
  }

  #dot(terms: Iterable<[number, number]>): Float64Array {
    const scores = new Float64Array(this.candidateIds.length);
    for (const [term, weight] of terms) {
      const posting = this.#postings.get(term);
      if (!posting) continue;
      for (let p = 0; p < posting.documents.length; p++) scores[posting.documents[p]!]! += weight * posting.weights[p]!;
    }
    return scores;
  }
}
