/**
 * The plain JS inner-product scan, for runtimes without WebAssembly SIMD: row-major float32
 * vectors, each score accumulated in float64 and stored as float32, and the best score per group
 * of GROUP_ROWS rows as the SIMD kernel reports it, so that the top-k reads both scans alike.
 */
import { GROUP_ROWS } from '../kernels/simdDotScan.ts';
import type { InnerProductScan, ScanScores } from './InnerProductScan.ts';

export class JsInnerProductScan implements InnerProductScan {
  readonly dimension: number;
  readonly rows: number;
  /** Row r is [r * dimension, (r + 1) * dimension). */
  readonly #vectors: Float32Array;
  readonly #result: ScanScores;

  constructor(dimension: number, vectors: readonly ArrayLike<number>[]) {
    this.dimension = dimension;
    this.rows = vectors.length;
    this.#vectors = new Float32Array(vectors.length * dimension);
    vectors.forEach((vector, r) => this.#vectors.set(vector, r * dimension));
    this.#result = { scores: new Float32Array(vectors.length), groupBest: new Float32Array(Math.ceil(vectors.length / GROUP_ROWS)) };
  }

  scores(query: ArrayLike<number>): ScanScores {
    // Locals, not fields, inside the loop: this is the whole cost of a search.
    const d = this.dimension;
    const vectors = this.#vectors;
    const { scores, groupBest } = this.#result;
    const q = Float64Array.from(query);
    groupBest.fill(-Infinity);
    const unrolled = d - (d % 4);
    for (let r = 0, offset = 0; r < this.rows; r++, offset += d) {
      let dot = 0;
      // Four at a time, then the rest: V8 runs a short loop of unknown length at half speed.
      for (let j = 0; j < unrolled; j += 4) {
        dot += vectors[offset + j]! * q[j]! + vectors[offset + j + 1]! * q[j + 1]! + vectors[offset + j + 2]! * q[j + 2]! + vectors[offset + j + 3]! * q[j + 3]!;
      }
      for (let j = unrolled; j < d; j++) dot += vectors[offset + j]! * q[j]!;
      scores[r] = dot;
      const group = (r / GROUP_ROWS) | 0;
      // NaN propagates, as f32x4.max does in the kernel.
      groupBest[group] = Math.max(groupBest[group]!, scores[r]!);
    }
    return this.#result;
  }

  vector(row: number): Float32Array {
    return this.#vectors.slice(row * this.dimension, (row + 1) * this.dimension);
  }
}
