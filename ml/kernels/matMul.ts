/**
 * A faster `BatchMatMul` for the wasm backend.
 *
 * Stock wasm runs a matmul through XNNPACK (~20-30 GFLOP/s on one core here) only when neither
 * side is transposed and neither has a batch dimension; every other form falls into a naive C++
 * loop (~1-2 GFLOP/s). Backprop always asks for the transposed forms (dA = dY·Bᵀ, dB = Aᵀ·dY), so
 * stock training spends most of its time there. This kernel rewrites every call into the one fast
 * form and delegates to the stock kernel for the arithmetic:
 * - transposed operands are transposed explicitly (a memory-bound copy, ~10x cheaper than the
 *   naive loop), or, when cheaper, the product is computed transposed (Cᵀ = Bᵀ·Aᵀ) so that
 *   XNNPACK packs the smaller operand (see prefersSwapped);
 * - a batch on one side only is folded into the rows (A batched: [B·M, K]·[K, N]) or, for B
 *   batched, into the columns ([M, K]·[K, B·N], then one transpose back);
 * - both sides batched: one XNNPACK call per batch item on views of the heap when the items are
 *   big enough; tiny items (attention heads) stay on the stock loop, which wins below
 *   LOOP_MIN_WORK multiply-adds per item.
 * - batch dims that broadcast against each other ([2,1,M,K]·[1,3,K,N]) always loop: the stock
 *   kernels (cpu and wasm alike) compute only max(2,3) items there and return a [2,3,M,N] tensor
 *   with half its data missing.
 * Results equal the cpu backend's within float32 rounding (test/unit/ml/kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { installKernel, stockKernel, uninstallKernel } from './kernelPatch.ts';
import {
  type BackendWasm,
  copyInto,
  heapView,
  release,
  releaseView,
  runWasmKernel,
  transpose2d,
  transposeLastTwo,
  withShape,
} from './wasmTensors.ts';

type TensorInfo = tf.TensorInfo;

/**
 * Per-item multiply-adds (M·K·N) from which looping XNNPACK over the batch beats the stock naive
 * loop. Measured on the 2-core VM (GFLOP/s, stock loop vs XNNPACK per item; ~5 µs per-item cost):
 * 8³: 1.3 vs 0.2; 16³: 1.7 vs 1.2; 24³: 1.8 vs 3.0; 32³: 1.9 vs 4-5; 64³: 1.9 vs 10.
 */
export const LOOP_MIN_WORK = 20 * 20 * 20;

/** The sizes of one matmul call, after resolving transposes and batch broadcasting. */
export interface MatMulDims {
  m: number;
  k: number;
  n: number;
  /** Leading (batch) dims of each operand and of the output (broadcast of the two). */
  outerA: number[];
  outerB: number[];
  outerOut: number[];
  batchA: number;
  batchB: number;
  batchOut: number;
  outShape: number[];
}

export function matMulDims(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): MatMulDims {
  const [aRows, aCols] = aShape.slice(-2) as [number, number];
  const [bRows, bCols] = bShape.slice(-2) as [number, number];
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const kB = transposeB ? bCols : bRows;
  const n = transposeB ? bRows : bCols;
  if (k !== kB) {
    throw new Error(
      `matMul: inner dimensions differ (${k} vs ${kB}) for shapes [${aShape}] and [${bShape}] ` +
        `with transposeA=${transposeA}, transposeB=${transposeB}`,
    );
  }
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const outerOut = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const size = tf.util.sizeFromShape;
  return {
    m, k, n, outerA, outerB, outerOut,
    batchA: size(outerA), batchB: size(outerB), batchOut: size(outerOut),
    outShape: [...outerOut, m, n],
  };
}

/** [M, K]·[K, N] through the stock kernel's XNNPACK path (rank-3 with batch 1 is what it wants). */
export function plainMatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo, m: number, k: number, n: number): TensorInfo {
  const stock = stockKernel(tf.BatchMatMul, 'wasm');
  if (stock === undefined) throw new Error('the wasm backend has no BatchMatMul kernel');
  const out = stock.kernelFunc({
    inputs: { a: withShape(a, [1, m, k]), b: withShape(b, [1, k, n]) },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
  return withShape(out, [m, n]);
}

/** An operand as [batch, rows, cols] in non-transposed layout, and whether we made a copy. */
interface Canonical {
  info: TensorInfo;
  owned: boolean;
}

function canonicalize(backend: BackendWasm, x: TensorInfo, batch: number, rows: number, cols: number, transposed: boolean): Canonical {
  if (!transposed) return { info: withShape(x, [batch, rows, cols]), owned: false };
  return { info: transposeLastTwo(backend, x, batch, cols, rows), owned: true };
}

function releaseCanonical(backend: BackendWasm, c: Canonical): void {
  if (c.owned) release(backend, c.info);
}

/** Batch item of an operand used for output item `outIndex` under numpy broadcasting. */
export function broadcastItem(outIndex: number, outerOut: number[], outer: number[]): number {
  let item = 0;
  let stride = 1;
  let rest = outIndex;
  for (let axis = outerOut.length - 1; axis >= 0; axis--) {
    const outDim = outerOut[axis]!;
    const coord = rest % outDim;
    rest = Math.floor(rest / outDim);
    const inAxis = axis - (outerOut.length - outer.length);
    if (inAxis < 0) continue;
    const inDim = outer[inAxis]!;
    if (inDim !== 1) item += coord * stride;
    stride *= inDim;
  }
  return item;
}

/**
 * Measured costs (ns per element, fastest of many runs on this VM) that decide how a 2-D product
 * is laid out. XNNPACK re-packs its "weights" operand (B) whenever that tensor is new, which in
 * training is every call: weights change each step and gradients are fresh tensors. Packing
 * costs 3-5.5 ns per weight; a transpose (JS, tiled) 2-3 ns per element.
 */
const PACK_NS = 4;
const TRANSPOSE_NS = 2.5;

/**
 * Whether to compute C = A·B as Cᵀ = Bᵀ·Aᵀ (packing A instead of B). For dW = Xᵀ·dY with a large
 * batch, packing X and transposing the small result beats packing dY and transposing X.
 */
function prefersSwapped(d: MatMulDims, transposeA: boolean, transposeB: boolean): boolean {
  const sizeA = d.m * d.k;
  const sizeB = d.k * d.n;
  const direct = PACK_NS * sizeB + TRANSPOSE_NS * ((transposeA ? sizeA : 0) + (transposeB ? sizeB : 0));
  const swapped = PACK_NS * sizeA + TRANSPOSE_NS * ((transposeA ? 0 : sizeA) + (transposeB ? 0 : sizeB) + d.m * d.n);
  return swapped < direct;
}

/** C = (Bᵀ·Aᵀ)ᵀ for unbatched operands, taking each stored layout as it comes. */
function matMulSwapped(backend: BackendWasm, a: TensorInfo, b: TensorInfo, d: MatMulDims, transposeA: boolean, transposeB: boolean): TensorInfo {
  const bT = transposeB ? withShape(b, [d.n, d.k]) : transpose2d(backend, b, d.k, d.n);
  const aT = transposeA ? withShape(a, [d.k, d.m]) : transpose2d(backend, a, d.m, d.k);
  const cT = plainMatMul(backend, bT, aT, d.n, d.k, d.m);
  if (!transposeB) release(backend, bT);
  if (!transposeA) release(backend, aT);
  const c = transpose2d(backend, cT, d.n, d.m);
  release(backend, cT);
  return c;
}

/** A (batched or not) · B (unbatched): fold A's batch into the rows. */
function matMulRows(backend: BackendWasm, a: Canonical, b: Canonical, d: MatMulDims): TensorInfo {
  return plainMatMul(backend, a.info, b.info, d.batchA * d.m, d.k, d.n);
}

/** A (unbatched) · B (batched): [M, K]·[K, B·N], then [M, B, N] -> [B, M, N]. */
function matMulColumns(backend: BackendWasm, a: Canonical, b: Canonical, d: MatMulDims): TensorInfo {
  const bByK = runWasmKernel('Transpose', backend, { x: b.info }, { perm: [1, 0, 2] });
  const wide = plainMatMul(backend, a.info, bByK, d.m, d.k, d.batchB * d.n);
  release(backend, bByK);
  const out = runWasmKernel('Transpose', backend, { x: withShape(wide, [d.m, d.batchB, d.n]) }, { perm: [1, 0, 2] });
  release(backend, wide);
  return out;
}

/** Both batched: one XNNPACK product per output item, on views of the canonical operands. */
function matMulLoop(backend: BackendWasm, a: Canonical, b: Canonical, d: MatMulDims): TensorInfo {
  const out = backend.makeOutput([d.batchOut, d.m, d.n], 'float32');
  for (let i = 0; i < d.batchOut; i++) {
    const aItem = heapView(backend, a.info, broadcastItem(i, d.outerOut, d.outerA) * d.m * d.k, [d.m, d.k]);
    const bItem = heapView(backend, b.info, broadcastItem(i, d.outerOut, d.outerB) * d.k * d.n, [d.k, d.n]);
    const product = plainMatMul(backend, aItem, bItem, d.m, d.k, d.n);
    releaseView(backend, aItem);
    releaseView(backend, bItem);
    copyInto(backend, product, out, i * d.m * d.n);
    release(backend, product);
  }
  return out;
}

function isEmpty(shape: number[]): boolean {
  return shape.some((dim) => dim === 0);
}

/**
 * The product `op(a)·op(b)` on the wasm backend, as a TensorInfo of shape `outShape`. Shared by
 * the BatchMatMul and _FusedMatMul kernels.
 */
export function matMulWasm(backend: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const d = matMulDims(a.shape, b.shape, transposeA, transposeB);
  // Stock computes only max(batchA, batchB) items when both sides broadcast against each other
  // ([2,1,..]·[1,3,..]): a tensor of shape [2,3,..] holding half its data. Never hand it those.
  const tinyBatchedItems = d.batchA > 1 && d.batchB > 1 && d.m * d.k * d.n < LOOP_MIN_WORK &&
    d.batchA === d.batchOut && d.batchB === d.batchOut;
  const useStock = a.dtype !== 'float32' || b.dtype !== 'float32' || isEmpty(a.shape) || isEmpty(b.shape) ||
    tinyBatchedItems;
  if (useStock) {
    const stock = stockKernel(tf.BatchMatMul, 'wasm')!;
    return stock.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } }) as TensorInfo;
  }
  if (d.batchA === 1 && d.batchB === 1 && prefersSwapped(d, transposeA, transposeB)) {
    return withShape(matMulSwapped(backend, a, b, d, transposeA, transposeB), d.outShape);
  }
  const ca = canonicalize(backend, a, d.batchA, d.m, d.k, transposeA);
  const cb = canonicalize(backend, b, d.batchB, d.k, d.n, transposeB);
  let out: TensorInfo;
  if (d.batchB === 1) out = matMulRows(backend, ca, cb, d);
  else if (d.batchA === 1) out = matMulColumns(backend, ca, cb, d);
  else out = matMulLoop(backend, ca, cb, d);
  releaseCanonical(backend, ca);
  releaseCanonical(backend, cb);
  return withShape(out, d.outShape);
}

function batchMatMulKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  return matMulWasm(args.backend as BackendWasm, a, b, transposeA, transposeB);
}

export const batchMatMulWasmConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMulKernel as tf.KernelFunc,
};

/** Installs the kernel; false if it already was. */
export function installBatchMatMulWasm(): boolean {
  return installKernel(batchMatMulWasmConfig);
}

export function uninstallBatchMatMulWasm(): void {
  uninstallKernel(tf.BatchMatMul, 'wasm');
}
