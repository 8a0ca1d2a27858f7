/**
 * The inner-product scan as one call of the WebAssembly SIMD kernel ml/kernels/simdDotScan.ts on a
 * memory this scan owns, holding the vectors in the kernel's layout: groups of GROUP_ROWS rows
 * interleaved by coordinate, the last group padded with zero rows.
 *
 * Memory: [groups: ceil(n/16) x d x 16 floats][query: d x 4 floats, splatted][scores: 16 ceil(n/16) floats]
 * [group best: ceil(n/16) floats].
 */
import { newWasmMemory } from '../kernels/wasmAssembly.ts';
import { type DotScan, GROUP_ROWS, simdDotScan } from '../kernels/simdDotScan.ts';
import type { InnerProductScan, ScanScores } from './InnerProductScan.ts';

const FLOAT_BYTES = 4;
/** The kernel reads each query coordinate as one f32x4 of equal lanes. */
const QUERY_LANES = 4;

export class SimdInnerProductScan implements InnerProductScan {
  readonly dimension: number;
  readonly rows: number;
  readonly #groups: number;
  readonly #scan: DotScan;
  /** Byte offsets into the memory. */
  readonly #queryAt: number;
  readonly #scoresAt: number;
  readonly #groupBestAt: number;
  /** Views of the memory, which never grows. */
  readonly #floats: Float32Array;
  readonly #result: ScanScores;

  constructor(dimension: number, vectors: readonly ArrayLike<number>[]) {
    this.dimension = dimension;
    this.rows = vectors.length;
    this.#groups = Math.ceil(vectors.length / GROUP_ROWS);
    this.#queryAt = this.#groups * GROUP_ROWS * dimension * FLOAT_BYTES;
    this.#scoresAt = this.#queryAt + dimension * QUERY_LANES * FLOAT_BYTES;
    this.#groupBestAt = this.#scoresAt + this.#groups * GROUP_ROWS * FLOAT_BYTES;
    const memory = newWasmMemory(this.#groupBestAt + this.#groups * FLOAT_BYTES);
    this.#scan = simdDotScan(memory);
    this.#floats = new Float32Array(memory.buffer);
    this.#result = {
      scores: new Float32Array(memory.buffer, this.#scoresAt, vectors.length),
      groupBest: new Float32Array(memory.buffer, this.#groupBestAt, this.#groups),
    };
    vectors.forEach((vector, r) => this.#store(r, vector));
  }

  scores(query: ArrayLike<number>): ScanScores {
    if (this.#groups === 0) return this.#result;
    this.#splatQuery(query);
    this.#scan(this.#queryAt, 0, this.#scoresAt, this.#groupBestAt, this.dimension, this.#groups);
    return this.#result;
  }

  vector(row: number): Float32Array {
    const out = new Float32Array(this.dimension);
    for (let j = 0; j < this.dimension; j++) out[j] = this.#floats[this.#floatIndex(row, j)]!;
    return out;
  }

  #splatQuery(query: ArrayLike<number>): void {
    const start = this.#queryAt / FLOAT_BYTES;
    for (let j = 0; j < this.dimension; j++) this.#floats.fill(query[j]!, start + j * QUERY_LANES, start + (j + 1) * QUERY_LANES);
  }

  #store(row: number, vector: ArrayLike<number>): void {
    for (let j = 0; j < this.dimension; j++) this.#floats[this.#floatIndex(row, j)] = vector[j]!;
  }

  /** Where coordinate j of row r lives: group r / 16, line j, lane r % 16. */
  #floatIndex(row: number, j: number): number {
    return (Math.floor(row / GROUP_ROWS) * this.dimension + j) * GROUP_ROWS + (row % GROUP_ROWS);
  }
}
