/**
 * Small helpers for writing wasm-backend kernels in TypeScript: calling other wasm kernels
 * directly (no engine round trip, no tape, no tidy), reshaping without copying, and "views" of a
 * sub-range of a tensor's heap memory so a batched matmul can run XNNPACK on each batch item
 * without copying it out.
 *
 * Everything here works on TensorInfo (dataId + shape + dtype), the currency of kernel code:
 * intermediates must be released explicitly with `release` (or `releaseView` for views).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };
type TensorInfo = tf.TensorInfo;

/** Runs the wasm kernel currently registered under `kernelName` (patched or stock). */
export function runWasmKernel(
  kernelName: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm') as tf.KernelConfig | undefined;
  if (kernel === undefined) throw new Error(`wasm kernel '${kernelName}' is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs } as Parameters<tf.KernelFunc>[0]) as TensorInfo;
}

/**
 * The same data seen with another shape, sharing the reference (not taking one): release either
 * the original or this, never both. Wasm kernels read sizes from the shape they are handed, and
 * their own internal reshapes take and drop a reference correctly.
 */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Drops one reference to an intermediate produced by a kernel call. */
export function release(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** Side of the square tiles the transpose walks: 16x16 floats stay in L1 on both sides. */
const TILE = 16;

/** Transposes one [rows, cols] float32 matrix from `src` at `srcAt` into `dst` at `dstAt`. */
function transposeTiles(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number, rows: number, cols: number): void {
  for (let c0 = 0; c0 < cols; c0 += TILE) {
    const c1 = Math.min(c0 + TILE, cols);
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(r0 + TILE, rows);
      for (let c = c0; c < c1; c++) {
        const out = dstAt + c * rows;
        for (let r = r0; r < r1; r++) dst[out + r] = src[srcAt + r * cols + c]!;
      }
    }
  }
}

/**
 * Batched transpose of the last two axes of a float32 tensor: [B, R, C] -> [B, C, R]. Done in
 * JS on the heap, tiled: 2-3 ns per element for activation-sized matrices, as fast as or faster
 * than the wasm Transpose kernel (2.1-3.4), without its generic N-d setup.
 */
export function transposeLastTwo(backend: BackendWasm, info: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  const out = backend.makeOutput([batch, cols, rows], 'float32');
  // Views are taken after the allocation, which may have grown (detached) the heap.
  const src = backend.typedArrayFromHeap(withShape(info, [batch * rows * cols])) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const size = rows * cols;
  for (let item = 0; item < batch; item++) transposeTiles(src, item * size, dst, item * size, rows, cols);
  return out;
}

/** A 2-D transpose: [R, C] -> [C, R]. */
export function transpose2d(backend: BackendWasm, info: TensorInfo, rows: number, cols: number): TensorInfo {
  return withShape(transposeLastTwo(backend, info, 1, rows, cols), [cols, rows]);
}

/**
 * A float32 tensor registered on `parent`'s heap memory starting at element `elementOffset`,
 * with its own tensor id (XNNPACK caches packed weights per id, and the cache entry is dropped
 * when the id is disposed). Must be released with `releaseView`, never `release`: the memory
 * belongs to `parent`.
 */
export function heapView(backend: BackendWasm, parent: TensorInfo, elementOffset: number, shape: number[]): TensorInfo {
  const base = backend.dataIdMap.get(parent.dataId);
  if (base === undefined) throw new Error('heapView: parent tensor is not on the wasm backend');
  const bytesPerElement = 4;
  return backend.makeOutput(shape, 'float32', base.memoryOffset + elementOffset * bytesPerElement);
}

/** Unregisters a view without freeing the memory it points into (BackendWasm.disposeData would). */
export function releaseView(backend: BackendWasm, view: TensorInfo): void {
  const data = backend.dataIdMap.get(view.dataId);
  if (data === undefined) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}

/**
 * Copies all of `from` into `to` starting at element `toOffset` (float32), on the heap. Offsets
 * are looked up now: XNNPACK allocations may have grown (moved) the heap since.
 */
export function copyInto(backend: BackendWasm, from: TensorInfo, to: TensorInfo, toOffset: number): void {
  const heap = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8;
  const src = backend.dataIdMap.get(from.dataId)!.memoryOffset;
  const dst = backend.dataIdMap.get(to.dataId)!.memoryOffset + toOffset * 4;
  heap.copyWithin(dst, src, src + tf.util.sizeFromShape(from.shape) * 4);
}
