/**
 * The plain JS inner-product scan, for runtimes without WebAssembly SIMD: row-major float32
 * vectors, each score accumulated in float64 and stored as float32 so that both scans hand the
 * same kind of buffer to the top-k (one monomorphic loop there).
 */
import type { InnerProductScan } from './InnerProductScan.ts';

export class JsInnerProductScan implements InnerProductScan {
  readonly dimension: number;
  readonly rows: number;
  /** Row r is [r * dimension, (r + 1) * dimension). */
  readonly #vectors: Float32Array;
  readonly #scores: Float32Array;

  constructor(dimension: number, vectors: readonly ArrayLike<number>[]) {
    this.dimension = dimension;
    this.rows = vectors.length;
    this.#vectors = new Float32Array(vectors.length * dimension);
    vectors.forEach((vector, r) => this.#vectors.set(vector, r * dimension));
    this.#scores = new Float32Array(vectors.length);
  }

  scores(query: ArrayLike<number>): Float32Array {
    // Locals, not fields, inside the loop: this is the whole cost of a search.
    const d = this.dimension;
    const vectors = this.#vectors;
    const scores = this.#scores;
    const q = Float64Array.from(query);
    for (let r = 0, offset = 0; r < this.rows; r++, offset += d) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += vectors[offset + j]! * q[j]!;
      scores[r] = dot;
    }
    return scores;
  }

  vector(row: number): Float32Array {
    return this.#vectors.slice(row * this.dimension, (row + 1) * this.dimension);
  }
}
