/**
 * Dense text vectors for the companion's modality inputs, computed in-process: a TF-IDF vector
 * (IDF from training entities only) mapped by a seeded Gaussian random projection to `dimension`
 * values (Johnson-Lindenstrauss: cosine similarities are approximately kept) and L2-normalized.
 * Also the "library" profile of a user: the normalized sum of the unit vectors of the items in
 * the user's training library (the vector content kNN ranks by, in dense form).
 */
import { Random } from '../../store/demo/random.ts';
import type { SparseVector, TfIdf } from '../baselines/tfidf.ts';

export class TextProjection {
  readonly dimension: number;
  readonly #tfidf: TfIdf;
  /** [vocabulary size, dimension] projection rows, drawn lazily per term from its own seed. */
  readonly #rows = new Map<number, Float32Array>();
  readonly #seed: number;

  constructor(tfidf: TfIdf, dimension: number, seed: number) {
    if (!(Number.isInteger(dimension) && dimension >= 1)) throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
    this.#tfidf = tfidf;
    this.dimension = dimension;
    this.#seed = seed;
  }

  /** The unit-length projected vector of a token list (zeros when no token is known). */
  project(tokens: readonly string[]): Float32Array {
    return this.projectSparse(this.#tfidf.vectorize(tokens));
  }

  projectSparse(vector: SparseVector): Float32Array {
    const out = new Float32Array(this.dimension);
    for (let k = 0; k < vector.indices.length; k++) {
      const row = this.#row(vector.indices[k]!);
      const weight = vector.values[k]!;
      for (let d = 0; d < this.dimension; d++) out[d]! += weight * row[d]!;
    }
    return normalize(out);
  }

  #row(term: number): Float32Array {
    let row = this.#rows.get(term);
    if (!row) {
      const random = new Random(this.#seed).derive(`term:${term}`);
      row = Float32Array.from({ length: this.dimension }, () => random.normal(0, 1 / Math.sqrt(this.dimension)));
      this.#rows.set(term, row);
    }
    return row;
  }
}

/** The normalized sum of unit vectors (zeros for an empty list). */
export function profileOf(vectors: readonly Float32Array[], dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  for (const vector of vectors) for (let d = 0; d < dimension; d++) out[d]! += vector[d]!;
  return normalize(out);
}

function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let d = 0; d < vector.length; d++) vector[d]! /= norm;
  return vector;
}
