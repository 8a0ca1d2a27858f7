/**
 * The inner products of one query with every vector of a fixed set: the whole cost of an exact
 * in-memory retrieval search (ExactInnerProductIndex). Two implementations of the same contract,
 * picked here and nowhere else: the WebAssembly SIMD scan, and a plain JS loop for runtimes that
 * cannot validate the SIMD module (Node 24 can; the fallback keeps serving correct elsewhere,
 * about an order of magnitude slower).
 */
import { simdDotScanSupported } from '../kernels/simdDotScan.ts';
import { JsInnerProductScan } from './JsInnerProductScan.ts';
import { SimdInnerProductScan } from './SimdInnerProductScan.ts';

export { GROUP_ROWS } from '../kernels/simdDotScan.ts';

/** One query's scores. The buffers are reused: they hold this query's until the next call. */
export interface ScanScores {
  /** x_r · query for every row r, accumulated or rounded to float32. */
  readonly scores: Float32Array;
  /**
   * The best score of each group of GROUP_ROWS consecutive rows, so that a top-k can skip a group in
   * one comparison. The last group's may be higher than its rows' (padding rows score 0): it is a bound there.
   */
  readonly groupBest: Float32Array;
}

export interface InnerProductScan {
  readonly dimension: number;
  readonly rows: number;
  scores(query: ArrayLike<number>): ScanScores;
  /** A copy of row r's vector. */
  vector(row: number): Float32Array;
}

export type InnerProductScanFactory = (dimension: number, vectors: readonly ArrayLike<number>[]) => InnerProductScan;

export const createInnerProductScan: InnerProductScanFactory = (dimension, vectors) =>
  simdDotScanSupported() ? new SimdInnerProductScan(dimension, vectors) : new JsInnerProductScan(dimension, vectors);

