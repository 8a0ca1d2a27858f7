/**
 * A correct and fast `_FusedMatMul` (matmul + bias + activation) for the wasm backend.
 *
 * The stock kernel is wrong whenever it leaves XNNPACK for its naive loop (any transpose or
 * batch): the loop adds the bias once per 48-wide block of K and indexes it by the flattened
 * output position instead of the column, and clamps (relu) partial sums. Measured: off by up to
 * 5.8 against the cpu backend. It also rejects any bias that is not rank 1.
 *
 * Here the product always goes through the fast path of ./matMul.ts. When the call reduces to one
 * plain 2-D product (B unbatched) with a rank-1 bias and an activation XNNPACK applies itself
 * (linear, relu, relu6), the stock kernel does bias and activation inside XNNPACK, which is
 * correct on that path. Everything else is done as product, then the wasm `Add` kernel for the
 * bias (any broadcastable shape), then the activation's own wasm kernel.
 *
 * Note: tfjs only calls this kernel outside gradient recording or with a linear activation; in
 * training, tf.fused.matMul with relu runs unfused (BatchMatMul + Add + Relu) by design.
 */
import * as tf from '@tensorflow/tfjs';
import { installKernel, stockKernel, uninstallKernel } from './kernelPatch.ts';
import { matMulDims, matMulWasm } from './matMul.ts';
import { type BackendWasm, release, runWasmKernel, transposeLastTwo, withShape } from './wasmTensors.ts';

type TensorInfo = tf.TensorInfo;

/** Activations XNNPACK's fully-connected operator applies as an output clamp. */
const XNNPACK_ACTIVATIONS = new Set(['linear', 'relu', 'relu6']);

interface FusedInputs {
  a: TensorInfo;
  b: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

function isRank1Bias(backend: BackendWasm, bias: TensorInfo | undefined, n: number): boolean {
  if (bias === undefined) return true;
  // The stock kernel checks the rank recorded for the data, not the shape it is handed.
  const stored = backend.dataIdMap.get(bias.dataId);
  return stored !== undefined && stored.shape.length === 1 && stored.shape[0] === n && bias.dtype === 'float32';
}

/** Applies `activation` with its own wasm kernel; releases `x` when a new tensor is produced. */
function applyActivation(backend: BackendWasm, x: TensorInfo, inputs: FusedInputs, attrs: tf._FusedMatMulAttrs): TensorInfo {
  const unary: Record<string, string> = { relu: 'Relu', relu6: 'Relu6', sigmoid: 'Sigmoid', elu: 'Elu' };
  let y: TensorInfo;
  if (attrs.activation === 'linear') return x;
  if (unary[attrs.activation] !== undefined) {
    y = runWasmKernel(unary[attrs.activation]!, backend, { x });
  } else if (attrs.activation === 'leakyrelu') {
    y = runWasmKernel('LeakyRelu', backend, { x }, { alpha: attrs.leakyreluAlpha ?? 0.2 });
  } else if (attrs.activation === 'prelu' && inputs.preluActivationWeights !== undefined) {
    y = runWasmKernel('Prelu', backend, { x, alpha: inputs.preluActivationWeights });
  } else {
    throw new Error(`fused matMul: activation '${attrs.activation}' is not supported on wasm`);
  }
  release(backend, x);
  return y;
}

/** The whole op inside XNNPACK: one plain 2-D product with bias and clamp. */
function fusedInXnnpack(backend: BackendWasm, inputs: FusedInputs, attrs: tf._FusedMatMulAttrs, outShape: number[]): TensorInfo {
  const { a, b, bias } = inputs;
  const d = matMulDims(a.shape, b.shape, attrs.transposeA, attrs.transposeB);
  const rows = d.batchA * d.m;
  const aRows = attrs.transposeA ? transposeLastTwo(backend, a, d.batchA, d.k, d.m) : a;
  const bPlain = attrs.transposeB ? transposeLastTwo(backend, b, 1, d.n, d.k) : b;
  const stock = stockKernel(tf._FusedMatMul, 'wasm')!;
  const out = stock.kernelFunc({
    inputs: { a: withShape(aRows, [1, rows, d.k]), b: withShape(bPlain, [1, d.k, d.n]), bias },
    backend,
    attrs: { ...attrs, transposeA: false, transposeB: false },
  }) as TensorInfo;
  if (aRows !== a) release(backend, aRows);
  if (bPlain !== b) release(backend, bPlain);
  return withShape(out, outShape);
}

function fusedMatMulKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const inputs = args.inputs as unknown as FusedInputs;
  const attrs = args.attrs as unknown as tf._FusedMatMulAttrs;
  const backend = args.backend as BackendWasm;
  const { a, b, bias } = inputs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    return stockKernel(tf._FusedMatMul, 'wasm')!.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const d = matMulDims(a.shape, b.shape, attrs.transposeA, attrs.transposeB);
  const empty = [...a.shape, ...b.shape].includes(0);
  if (!empty && d.batchB === 1 && XNNPACK_ACTIVATIONS.has(attrs.activation) && isRank1Bias(backend, bias, d.n)) {
    return fusedInXnnpack(backend, inputs, attrs, d.outShape);
  }
  let out = matMulWasm(backend, a, b, attrs.transposeA, attrs.transposeB);
  if (bias !== undefined) {
    const sum = runWasmKernel('Add', backend, { a: out, b: bias });
    release(backend, out);
    out = sum;
  }
  out = applyActivation(backend, out, inputs, attrs);
  return withShape(out, d.outShape);
}

export const fusedMatMulWasmConfig: tf.KernelConfig = {
  kernelName: tf._FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMulKernel as tf.KernelFunc,
};

/** Installs the kernel; false if it already was. */
export function installFusedMatMulWasm(): boolean {
  return installKernel(fusedMatMulWasmConfig);
}

export function uninstallFusedMatMulWasm(): void {
  uninstallKernel(tf._FusedMatMul, 'wasm');
}
