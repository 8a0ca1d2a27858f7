/**
 * Pair features for items known by their text (PairFeatures.ts): the TF-IDF similarity of the
 * item to the items of the user's library, the signal content kNN ranks by, as inputs the
 * model can combine with what it learns:
 *
 * - `library_text_centroid`: cosine to the sum of the library's unit vectors (content kNN's
 *   "centroid" score);
 * - `library_text_max`: the highest cosine to one library item (1-nearest neighbour);
 * - `library_text_top3`: the mean of the three highest cosines.
 *
 * The row's own item is always left out of the library, so a training positive (which is in its
 * user's library) looks exactly like a held-out item does at test time; without that the model
 * would learn "an item matches the library that contains it".
 */
import type { SparseVector } from '../baselines/tfidf.ts';
import { contentId } from './FeaturePipeline.ts';
import type { PairFeatures, PairRow } from './PairFeatures.ts';

const TOP = 3;

export class LibrarySimilarity implements PairFeatures {
  readonly names = ['library_text_centroid', 'library_text_max', 'library_text_top3'] as const;
  readonly #vectors: ReadonlyMap<string, SparseVector>;
  readonly #libraries: ReadonlyMap<string, readonly string[]>;
  readonly #vocabularySize: number;

  /**
   * `vectors`: unit TF-IDF vectors by item id; `libraries`: each user's history items (training
   * data only); `vocabularySize`: an upper bound of the term indices.
   */
  constructor(vectors: ReadonlyMap<string, SparseVector>, libraries: ReadonlyMap<string, readonly string[]>, vocabularySize: number) {
    this.#vectors = vectors;
    this.#libraries = libraries;
    this.#vocabularySize = vocabularySize;
  }

  compute(rows: readonly PairRow[]): Float32Array {
    const width = this.names.length;
    const out = new Float32Array(rows.length * width).fill(Number.NaN);
    const byUser = new Map<string, number[]>();
    rows.forEach((row, r) => {
      const list = byUser.get(row.userId);
      if (list) list.push(r);
      else byUser.set(row.userId, [r]);
    });
    const centroid = new Float64Array(this.#vocabularySize);
    const best = new Float64Array(TOP);
    for (const [userId, indices] of byUser) {
      const library = (this.#libraries.get(contentId(userId)) ?? []).map((id) => ({ id, vector: this.#vectors.get(id) }));
      for (const { vector } of library) if (vector) addInto(centroid, vector, 1);
      const centroidNormSquare = squaredNorm(centroid, library);
      for (const r of indices) {
        const itemId = contentId(rows[r]!.itemId);
        const vector = this.#vectors.get(itemId);
        if (!vector || vector.indices.length === 0 || library.length === 0) continue;
        const self = library.find((entry) => entry.id === itemId)?.vector;
        // Centroid without the row's own item: c' = c - v_self.
        let dot = sparseDot(centroid, vector);
        let normSquare = centroidNormSquare;
        if (self) {
          const overlap = sparseSparseDot(self, vector);
          normSquare += sparseSquare(self) - 2 * sparseDot(centroid, self);
          dot -= overlap;
        }
        best.fill(0);
        let others = 0;
        for (const entry of library) {
          if (entry.id === itemId || !entry.vector) continue;
          others++;
          let s = sparseSparseDot(entry.vector, vector);
          for (let j = 0; j < TOP; j++) if (s > best[j]!) [best[j], s] = [s, best[j]!];
        }
        if (others === 0) continue;
        out[r * width] = normSquare > 1e-12 ? dot / Math.sqrt(normSquare) : 0;
        out[r * width + 1] = best[0]!;
        const count = Math.min(TOP, others);
        let sum = 0;
        for (let j = 0; j < count; j++) sum += best[j]!;
        out[r * width + 2] = sum / count;
      }
      for (const { vector } of library) if (vector) addInto(centroid, vector, 0, true);
    }
    return out;
  }
}

/** centroid += weight * vector, or (reset) sets the vector's terms back to 0. */
function addInto(centroid: Float64Array, vector: SparseVector, weight: number, reset = false): void {
  for (let k = 0; k < vector.indices.length; k++) {
    const t = vector.indices[k]!;
    centroid[t] = reset ? 0 : centroid[t]! + weight * vector.values[k]!;
  }
}

/** |centroid|^2 over the terms the library touches (the rest are 0). */
function squaredNorm(centroid: Float64Array, library: readonly { readonly vector: SparseVector | undefined }[]): number {
  const seen = new Set<number>();
  let sum = 0;
  for (const { vector } of library) {
    if (!vector) continue;
    for (let k = 0; k < vector.indices.length; k++) {
      const t = vector.indices[k]!;
      if (seen.has(t)) continue;
      seen.add(t);
      sum += centroid[t]! * centroid[t]!;
    }
  }
  return sum;
}

function sparseDot(dense: Float64Array, vector: SparseVector): number {
  let sum = 0;
  for (let k = 0; k < vector.indices.length; k++) sum += dense[vector.indices[k]!]! * vector.values[k]!;
  return sum;
}

function sparseSquare(vector: SparseVector): number {
  let sum = 0;
  for (const value of vector.values) sum += value * value;
  return sum;
}

/** Dot product of two sparse vectors with ascending indices (a merge). */
function sparseSparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) sum += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}
