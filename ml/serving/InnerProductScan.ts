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

export interface InnerProductScan {
  readonly dimension: number;
  readonly rows: number;
  /** x_r · query for every row r, accumulated or rounded to float32. The buffer is reused: it holds this query's scores until the next call. */
  scores(query: ArrayLike<number>): Float32Array;
  /** A copy of row r's vector. */
  vector(row: number): Float32Array;
}

export type InnerProductScanFactory = (dimension: number, vectors: readonly ArrayLike<number>[]) => InnerProductScan;

export const createInnerProductScan: InnerProductScanFactory = (dimension, vectors) =>
  simdDotScanSupported() ? new SimdInnerProductScan(dimension, vectors) : new JsInnerProductScan(dimension, vectors);

