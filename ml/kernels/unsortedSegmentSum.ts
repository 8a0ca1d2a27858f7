/**
 * `UnsortedSegmentSum` in plain TypeScript, for the wasm and cpu backends.
 *
 * Why: it is the gradient of `tf.gather` (every embedding lookup). Wasm has no such kernel, so
 * backprop through an embedding throws there; the stock cpu kernel builds a mask per segment and
 * costs segments x ids x dim (16 s for one vocab-1000 embedding gradient). This one is
 * O(ids x dim + segments x dim).
 *
 * Numerics: rows are grouped per segment with a stable counting sort and summed in row order in
 * float64, which is exactly what the stock cpu kernel does (mask-multiply, then a float64 running
 * sum over axis 0), so results are bit-identical to it. Ids outside [0, numSegments) are dropped,
 * as stock does. Output dtype is the input's (stock cpu returns float32 for int32 input).
 */
import * as tf from '@tensorflow/tfjs';
import { installKernel, uninstallKernel } from './kernelPatch.ts';
import type { BackendWasm } from './wasmTensors.ts';

type TensorInfo = tf.TensorInfo;
type NumericArray = Float32Array | Int32Array | Uint8Array;

/** The subset of the cpu backend (MathBackendCPU) this kernel uses. */
interface CpuBackend {
  readSync(dataId: tf.DataId): unknown;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: NumericArray): TensorInfo;
}

/** Output shape and the number of values per segment row. */
function segmentLayout(x: TensorInfo, segmentIds: TensorInfo, numSegments: number): { outShape: number[]; inner: number } {
  const idsSize = tf.util.sizeFromShape(segmentIds.shape);
  const xPrefix = x.shape.slice(0, segmentIds.shape.length);
  if (segmentIds.shape.length > x.shape.length || xPrefix.some((dim, i) => dim !== segmentIds.shape[i])) {
    throw new Error(
      `unsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = idsSize === 0 ? tf.util.sizeFromShape(innerShape) : tf.util.sizeFromShape(x.shape) / idsSize;
  return { outShape: [numSegments, ...innerShape], inner };
}

/**
 * Writes the segment sums of `x` (rows of `inner` values, one per id) into `out`
 * (numSegments x inner), overwriting all of it.
 */
export function segmentSumInto(out: NumericArray, x: ArrayLike<number>, ids: ArrayLike<number>, numSegments: number, inner: number): void {
  out.fill(0);
  // Counting sort of row indices by segment, stable so rows are summed in their original order.
  const start = new Int32Array(numSegments + 1);
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!;
    if (id >= 0 && id < numSegments) start[id + 1]!++;
  }
  for (let s = 0; s < numSegments; s++) start[s + 1]! += start[s]!;
  const next = start.slice(0, numSegments);
  const rows = new Int32Array(start[numSegments]!);
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!;
    if (id >= 0 && id < numSegments) rows[next[id]!++] = row;
  }
  const acc = new Float64Array(inner);
  for (let s = 0; s < numSegments; s++) {
    const from = start[s]!;
    const to = start[s + 1]!;
    if (from === to) continue;
    acc.fill(0);
    for (let r = from; r < to; r++) {
      const offset = rows[r]! * inner;
      for (let j = 0; j < inner; j++) acc[j]! += x[offset + j]!;
    }
    out.set(acc, s * inner);
  }
}

function assertNumeric(x: TensorInfo): void {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`unsortedSegmentSum: dtype ${x.dtype} is not supported (float32 or int32)`);
  }
}

function unsortedSegmentSumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const backend = args.backend as BackendWasm;
  assertNumeric(x);
  const { outShape, inner } = segmentLayout(x, segmentIds, numSegments);
  // Allocate first: allocation can grow the wasm heap, which detaches earlier views of it.
  const out = backend.makeOutput(outShape, x.dtype);
  const outValues = backend.typedArrayFromHeap(out) as NumericArray;
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  segmentSumInto(outValues, xValues, ids, numSegments, inner);
  return out;
}

function unsortedSegmentSumCpu(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const backend = args.backend as CpuBackend;
  assertNumeric(x);
  const { outShape, inner } = segmentLayout(x, segmentIds, numSegments);
  const xValues = backend.readSync(x.dataId) as NumericArray;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const outValues = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  segmentSumInto(outValues, xValues, ids, numSegments, inner);
  return backend.makeTensorInfo(outShape, x.dtype, outValues);
}

const kernelFuncs: Record<string, tf.KernelFunc> = {
  wasm: unsortedSegmentSumWasm as tf.KernelFunc,
  cpu: unsortedSegmentSumCpu as tf.KernelFunc,
};

/** The backends this kernel exists for. */
export const SEGMENT_SUM_BACKENDS = Object.keys(kernelFuncs);

const configs = new Map<string, tf.KernelConfig>(
  SEGMENT_SUM_BACKENDS.map((backendName) => [
    backendName,
    { kernelName: tf.UnsortedSegmentSum, backendName, kernelFunc: kernelFuncs[backendName]! },
  ]),
);

/** Installs the kernel for `backendName` (wasm or cpu); false if already installed. */
export function installUnsortedSegmentSum(backendName: string): boolean {
  const config = configs.get(backendName);
  if (config === undefined) throw new Error(`unsortedSegmentSum: no kernel for backend '${backendName}'`);
  return installKernel(config);
}

export function uninstallUnsortedSegmentSum(backendName: string): void {
  uninstallKernel(tf.UnsortedSegmentSum, backendName);
}
