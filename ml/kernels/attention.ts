/**
 * Fused multi-head self-attention kernels (forward and gradient) in plain TypeScript, for the
 * wasm and cpu backends. Used by ml/nn/attention.ts, which falls back to stock ops where these
 * are not registered.
 *
 * Why: with tfjs ops, attention over [N, T, 3d] fused projections takes ~25 kernels per layer
 * forward and more backward: rank-4 transposes to and from [N·H, T, dh], a batched QKᵀ and P·V
 * (on wasm a naive loop for batched operands: ~0.9 GFLOP/s, 4.8 ms per [1024, 16, 16] product),
 * the scale, the mask add, softmax, dropout, and their gradients. Here one kernel reads Q, K and V
 * in place from the projection output [N, T, 3d] (columns [Q | K | V], head h at h·dh inside each)
 * and writes the context [N, T, d] in the layout the output projection reads; one kernel computes
 * the whole backward pass. Measured on the transformer benchmark (N 256, T 16, d 64, 4 heads):
 * see bench/trainThroughput.ts --model transformer.
 *
 * Semantics (identical to the op-by-op form, within float32 rounding):
 *   S = (Q·Kᵀ)·scale + bias[n, key],  P = softmax_key(S),  ctx = (P ⊙ keep)·V
 * bias is the additive key mask [N, T]; keep is a dropout multiplier [N, H, T, T] (0 or 1/(1−rate))
 * or a scalar (1 = no dropout). Outputs: ctx and P (P before dropout, saved for the gradient).
 * Gradient: dP' = dctx·Vᵀ ⊙ keep, dS = P ⊙ (dP' − rowsum(P ⊙ dP')), dQ = scale·dS·K,
 * dK = scale·dSᵀ·Q, dV = (P ⊙ keep)ᵀ·dctx, dbias[n, key] = Σ_{h, query} dS.
 * Dot products accumulate in float64 (JS numbers); arrays are float32.
 */
import * as tf from '@tensorflow/tfjs';
import { checkFloat, type Io, ioFor } from './kernelIo.ts';
import { kernelSet } from './kernelPatch.ts';
import { simdBmm, simdBmmSupported, type WasmMemory } from './simdBmm.ts';
import type { BackendWasm } from './wasmTensors.ts';

type TensorInfo = tf.TensorInfo;

export const FUSED_ATTENTION = 'SynthFusedAttention';
export const FUSED_ATTENTION_GRAD = 'SynthFusedAttentionGrad';

export interface FusedAttentionAttrs {
  heads: number;
  scale: number;
}

interface Dims {
  n: number;
  t: number;
  heads: number;
  dh: number;
  d: number;
}

function dimsOf(qkvShape: number[], heads: number): Dims {
  if (qkvShape.length !== 3 || qkvShape[2]! % (3 * heads) !== 0) {
    throw new Error(`fusedAttention: qkv must be [N, T, 3·d] with d divisible by ${heads} heads, got [${qkvShape}]`);
  }
  const [n, t, threeD] = qkvShape as [number, number, number];
  const d = threeD / 3;
  return { n, t, heads, dh: d / heads, d };
}

/** Forward: fills ctx [N, T, d] and probs [N, H, T, T]. `keep` has N·H·T·T values or 1. */
export function attentionForward(
  qkv: Float32Array, bias: Float32Array, keep: Float32Array, scale: number, dims: Dims,
  ctx: Float32Array, probs: Float32Array,
): void {
  const { n: batch, t, heads, dh, d } = dims;
  const row = 3 * d;
  const keepAll = keep.length === 1;
  const keep0 = keep[0]!;
  const s = new Float64Array(t);
  const acc = new Float64Array(dh);
  for (let n = 0; n < batch; n++) {
    const base = n * t * row;
    const biasAt = n * t;
    for (let h = 0; h < heads; h++) {
      const qOff = base + h * dh;
      const kOff = base + d + h * dh;
      const vOff = base + 2 * d + h * dh;
      for (let i = 0; i < t; i++) {
        const qi = qOff + i * row;
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < t; j++) {
          const kj = kOff + j * row;
          let dot = 0;
          for (let c = 0; c < dh; c++) dot += qkv[qi + c]! * qkv[kj + c]!;
          const value = Math.fround(dot * scale) + bias[biasAt + j]!;
          s[j] = value;
          if (value > max) max = value;
        }
        let sum = 0;
        for (let j = 0; j < t; j++) {
          const e = Math.exp(s[j]! - max);
          s[j] = e;
          sum += e;
        }
        const pAt = ((n * heads + h) * t + i) * t;
        acc.fill(0);
        for (let j = 0; j < t; j++) {
          const p = Math.fround(s[j]! / sum);
          probs[pAt + j] = p;
          const pd = keepAll ? p * keep0 : p * keep[pAt + j]!;
          if (pd === 0) continue;
          const vj = vOff + j * row;
          for (let c = 0; c < dh; c++) acc[c]! += pd * qkv[vj + c]!;
        }
        const out = (n * t + i) * d + h * dh;
        for (let c = 0; c < dh; c++) ctx[out + c] = acc[c]!;
      }
    }
  }
}

/** Backward: fills dqkv [N, T, 3d] and dbias [N, T] (both must start zeroed). */
export function attentionBackward(
  dy: Float32Array, qkv: Float32Array, probs: Float32Array, keep: Float32Array, scale: number, dims: Dims,
  dqkv: Float32Array, dbias: Float32Array,
): void {
  const { n: batch, t, heads, dh, d } = dims;
  const row = 3 * d;
  const keepAll = keep.length === 1;
  const keep0 = keep[0]!;
  const dp = new Float64Array(t);
  const dq = new Float64Array(dh);
  for (let n = 0; n < batch; n++) {
    const base = n * t * row;
    for (let h = 0; h < heads; h++) {
      const qOff = base + h * dh;
      const kOff = base + d + h * dh;
      const vOff = base + 2 * d + h * dh;
      for (let i = 0; i < t; i++) {
        const pAt = ((n * heads + h) * t + i) * t;
        const dyAt = (n * t + i) * d + h * dh;
        // dP' (through dropout) and dV.
        let rowDot = 0;
        for (let j = 0; j < t; j++) {
          const k = keepAll ? keep0 : keep[pAt + j]!;
          const p = probs[pAt + j]!;
          const vj = vOff + j * row;
          let dot = 0;
          for (let c = 0; c < dh; c++) dot += dy[dyAt + c]! * qkv[vj + c]!;
          const dpj = dot * k;
          dp[j] = dpj;
          rowDot += p * dpj;
          const pd = p * k;
          if (pd !== 0) for (let c = 0; c < dh; c++) dqkv[vj + c]! += pd * dy[dyAt + c]!;
        }
        // dS, then dQ_i and dK_j.
        const qi = qOff + i * row;
        dq.fill(0);
        for (let j = 0; j < t; j++) {
          const ds = probs[pAt + j]! * (dp[j]! - rowDot);
          if (ds === 0) continue;
          dbias[n * t + j]! += ds;
          const g = ds * scale;
          const kj = kOff + j * row;
          for (let c = 0; c < dh; c++) {
            dq[c]! += g * qkv[kj + c]!;
            dqkv[kj + c]! += g * qkv[qi + c]!;
          }
        }
        for (let c = 0; c < dh; c++) dqkv[qi + c] = dq[c]!;
      }
    }
  }
}

/** Softmax of each score row in place: p = softmax(raw·scale + bias[n, key]). */
function softmaxRows(scores: Float32Array, bias: Float32Array, scale: number, dims: Dims): void {
  const { n: batch, t, heads } = dims;
  for (let n = 0; n < batch; n++) {
    const biasAt = n * t;
    for (let r = 0; r < heads * t; r++) {
      const at = (n * heads * t + r) * t;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < t; j++) {
        const value = Math.fround(scores[at + j]! * scale) + bias[biasAt + j]!;
        scores[at + j] = value;
        if (value > max) max = value;
      }
      let sum = 0;
      for (let j = 0; j < t; j++) {
        const e = Math.exp(scores[at + j]! - max);
        scores[at + j] = e;
        sum += e;
      }
      for (let j = 0; j < t; j++) scores[at + j] = scores[at + j]! / sum;
    }
  }
}

/** Copies block `offset` (dh columns) of every head out of [N, T, 3d] into [N, H, dh, T] (transposed). */
function transposeHeads(qkv: Float32Array, offset: number, dims: Dims, out: Float32Array): void {
  const { n: batch, t, heads, dh, d } = dims;
  const row = 3 * d;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < heads; h++) {
      const src = n * t * row + offset + h * dh;
      const dst = (n * heads + h) * dh * t;
      for (let i = 0; i < t; i++) {
        const from = src + i * row;
        for (let c = 0; c < dh; c++) out[dst + c * t + i] = qkv[from + c]!;
      }
    }
  }
}

/** probs ⊙ keep into `out` (keep: one value per prob, or one scalar). */
function applyKeep(probs: Float32Array, keep: Float32Array, out: Float32Array): void {
  if (keep.length === 1) {
    const k = keep[0]!;
    for (let i = 0; i < probs.length; i++) out[i] = probs[i]! * k;
  } else {
    for (let i = 0; i < probs.length; i++) out[i] = probs[i]! * keep[i]!;
  }
}

/** Byte offset of a tensor on the wasm heap. */
function offsetOf(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

function wasmMemory(backend: BackendWasm): WasmMemory {
  return (backend.wasm as unknown as { asm: { memory: WasmMemory } }).asm.memory;
}

/** Whether the SIMD path applies: float rows of 4 (T and dh multiples of 4) and a SIMD runtime. */
function simdApplies(dims: Dims): boolean {
  return dims.t % 4 === 0 && dims.dh % 4 === 0 && dims.n > 0 && simdBmmSupported();
}

/**
 * Forward on the wasm heap: S = Q·Kᵀ (SIMD, Kᵀ copied per head), softmax rows (JS),
 * ctx = (P ⊙ keep)·V (SIMD, V read in place).
 */
function forwardWasmSimd(backend: BackendWasm, qkv: TensorInfo, bias: TensorInfo, keep: TensorInfo, scale: number, dims: Dims): TensorInfo[] {
  const { n, t, heads, dh, d } = dims;
  const ctx = backend.makeOutput([n, t, d], 'float32');
  const probs = backend.makeOutput([n, heads, t, t], 'float32');
  const kt = backend.makeOutput([n * heads * dh * t], 'float32');
  const dropped = keep.shape.length === 0 && (backend.typedArrayFromHeap(keep) as Float32Array)[0] === 1
    ? undefined
    : backend.makeOutput([n, heads, t, t], 'float32');
  const read = (info: TensorInfo): Float32Array => backend.typedArrayFromHeap(info) as Float32Array;
  transposeHeads(read(qkv), d, dims, read(kt));
  const bmm = simdBmm(wasmMemory(backend));
  const row = 3 * d * 4;
  const q = offsetOf(backend, qkv);
  // S[n, h] = Q[n, h] [t, dh] · Kᵀ[n, h] [dh, t]
  bmm(q, offsetOf(backend, kt), offsetOf(backend, probs), t, dh, t / 4, row, 4, t * 4, t * 4,
    n, t * row, heads * dh * t * 4, heads * t * t * 4, heads, dh * 4, dh * t * 4, t * t * 4);
  softmaxRows(read(probs), read(bias), scale, dims);
  if (dropped !== undefined) applyKeep(read(probs), read(keep), read(dropped));
  const p = dropped ?? probs;
  // ctx[n, :, h] = P[n, h] [t, t] · V[n, h] [t, dh]
  bmm(offsetOf(backend, p), q + 2 * d * 4, offsetOf(backend, ctx), t, t, dh / 4, t * 4, 4, row, d * 4,
    n, heads * t * t * 4, t * row, t * d * 4, heads, t * t * 4, dh * 4, dh * 4);
  backend.disposeData(kt.dataId);
  if (dropped !== undefined) backend.disposeData(dropped.dataId);
  return [ctx, probs];
}

/** dS from dP' = dPd ⊙ keep (in `dp`, in place): dS·scale into dp, Σ dS into dbias. */
function softmaxGradRows(dp: Float32Array, probs: Float32Array, keep: Float32Array, scale: number, dims: Dims, dbias: Float32Array): void {
  const { n: batch, t, heads } = dims;
  const keepAll = keep.length === 1;
  const keep0 = keep[0]!;
  for (let n = 0; n < batch; n++) {
    const biasAt = n * t;
    for (let r = 0; r < heads * t; r++) {
      const at = (n * heads * t + r) * t;
      let rowDot = 0;
      for (let j = 0; j < t; j++) {
        const g = dp[at + j]! * (keepAll ? keep0 : keep[at + j]!);
        dp[at + j] = g;
        rowDot += probs[at + j]! * g;
      }
      for (let j = 0; j < t; j++) {
        const ds = probs[at + j]! * (dp[at + j]! - rowDot);
        dbias[biasAt + j]! += ds;
        dp[at + j] = ds * scale;
      }
    }
  }
}

function backwardWasmSimd(backend: BackendWasm, dy: TensorInfo, qkv: TensorInfo, probs: TensorInfo, keep: TensorInfo, scale: number, dims: Dims): TensorInfo[] {
  const { n, t, heads, dh, d } = dims;
  const dqkv = backend.makeOutput([n, t, 3 * d], 'float32');
  const dbias = backend.makeOutput([n, t], 'float32');
  const vt = backend.makeOutput([n * heads * dh * t], 'float32');
  const dp = backend.makeOutput([n, heads, t, t], 'float32');
  const pd = backend.makeOutput([n, heads, t, t], 'float32');
  const read = (info: TensorInfo): Float32Array => backend.typedArrayFromHeap(info) as Float32Array;
  read(dbias).fill(0);
  transposeHeads(read(qkv), 2 * d, dims, read(vt));
  applyKeep(read(probs), read(keep), read(pd));
  const bmm = simdBmm(wasmMemory(backend));
  const row = 3 * d * 4;
  const q = offsetOf(backend, qkv);
  const dq = offsetOf(backend, dqkv);
  const dyAt = offsetOf(backend, dy);
  const tt = t * t * 4;
  // dPd[n, h] = dy[n, :, h] [t, dh] · Vᵀ[n, h] [dh, t]
  bmm(dyAt, offsetOf(backend, vt), offsetOf(backend, dp), t, dh, t / 4, d * 4, 4, t * 4, t * 4,
    n, t * d * 4, heads * dh * t * 4, heads * tt, heads, dh * 4, dh * t * 4, tt);
  // dV[n, h] = Pdᵀ [t, t] · dy[n, :, h] [t, dh]
  bmm(offsetOf(backend, pd), dyAt, dq + 2 * d * 4, t, t, dh / 4, 4, t * 4, d * 4, row,
    n, heads * tt, t * d * 4, t * row, heads, tt, dh * 4, dh * 4);
  softmaxGradRows(read(dp), read(probs), read(keep), scale, dims, read(dbias));
  // dQ = dS·scale [t, t] · K [t, dh];  dK = (dS·scale)ᵀ · Q
  bmm(offsetOf(backend, dp), q + d * 4, dq, t, t, dh / 4, t * 4, 4, row, row,
    n, heads * tt, t * row, t * row, heads, tt, dh * 4, dh * 4);
  bmm(offsetOf(backend, dp), q, dq + d * 4, t, t, dh / 4, 4, t * 4, row, row,
    n, heads * tt, t * row, t * row, heads, tt, dh * 4, dh * 4);
  for (const scratch of [vt, dp, pd]) backend.disposeData(scratch.dataId);
  return [dqkv, dbias];
}

function attrsOf(attrs: tf.NamedAttrMap | undefined): FusedAttentionAttrs {
  const { heads, scale } = attrs as unknown as FusedAttentionAttrs;
  return { heads, scale };
}

function forwardKernel(io: Io, args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): TensorInfo[] {
  const { qkv, bias, keep } = args.inputs as { qkv: TensorInfo; bias: TensorInfo; keep: TensorInfo };
  checkFloat(FUSED_ATTENTION, [qkv, bias, keep]);
  const { heads, scale } = attrsOf(args.attrs);
  const dims = dimsOf(qkv.shape, heads);
  const { infos, values } = io.outputs([[dims.n, dims.t, dims.d], [dims.n, heads, dims.t, dims.t]]);
  attentionForward(io.read(qkv), io.read(bias), io.read(keep), scale, dims, values[0]!, values[1]!);
  return infos;
}

function gradKernel(io: Io, args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): TensorInfo[] {
  const { dy, qkv, probs, keep } = args.inputs as { dy: TensorInfo; qkv: TensorInfo; probs: TensorInfo; keep: TensorInfo };
  checkFloat(FUSED_ATTENTION_GRAD, [dy, qkv, probs, keep]);
  const { heads, scale } = attrsOf(args.attrs);
  const dims = dimsOf(qkv.shape, heads);
  const { infos, values } = io.outputs([qkv.shape, [dims.n, dims.t]]);
  attentionBackward(io.read(dy), io.read(qkv), io.read(probs), io.read(keep), scale, dims, values[0]!, values[1]!);
  return infos;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };


function wasmForward(args: KernelArgs): TensorInfo[] {
  const { qkv, bias, keep } = args.inputs as { qkv: TensorInfo; bias: TensorInfo; keep: TensorInfo };
  const { heads, scale } = attrsOf(args.attrs);
  const dims = dimsOf(qkv.shape, heads);
  if (!simdApplies(dims) || [qkv, bias, keep].some((x) => x.dtype !== 'float32')) return forwardKernel(ioFor('wasm', args.backend), args);
  return forwardWasmSimd(args.backend as BackendWasm, qkv, bias, keep, scale, dims);
}

function wasmGrad(args: KernelArgs): TensorInfo[] {
  const { dy, qkv, probs, keep } = args.inputs as { dy: TensorInfo; qkv: TensorInfo; probs: TensorInfo; keep: TensorInfo };
  const { heads, scale } = attrsOf(args.attrs);
  const dims = dimsOf(qkv.shape, heads);
  if (!simdApplies(dims) || [dy, qkv, probs, keep].some((x) => x.dtype !== 'float32')) return gradKernel(ioFor('wasm', args.backend), args);
  return backwardWasmSimd(args.backend as BackendWasm, dy, qkv, probs, keep, scale, dims);
}

/** The backends these kernels exist for. */
export const ATTENTION_BACKENDS: readonly string[] = ['wasm', 'cpu'];

function configsFor(backendName: string): tf.KernelConfig[] {
  if (backendName === 'wasm') {
    return [
      { kernelName: FUSED_ATTENTION, backendName, kernelFunc: wasmForward as tf.KernelFunc },
      { kernelName: FUSED_ATTENTION_GRAD, backendName, kernelFunc: wasmGrad as tf.KernelFunc },
    ];
  }
  return [
    {
      kernelName: FUSED_ATTENTION,
      backendName,
      kernelFunc: ((args: KernelArgs) => forwardKernel(ioFor(backendName, args.backend), args)) as tf.KernelFunc,
    },
    {
      kernelName: FUSED_ATTENTION_GRAD,
      backendName,
      kernelFunc: ((args: KernelArgs) => gradKernel(ioFor(backendName, args.backend), args)) as tf.KernelFunc,
    },
  ];
}

const kernels = kernelSet('fusedAttention', [FUSED_ATTENTION, FUSED_ATTENTION_GRAD], new Map(ATTENTION_BACKENDS.map((name) => [name, configsFor(name)])));

/** Registers both kernels for `backendName` (wasm or cpu); idempotent. */
export function installFusedAttention(backendName: string): void {
  kernels.install(backendName);
}

export function uninstallFusedAttention(backendName: string): void {
  kernels.uninstall(backendName);
}

/** Whether the fused kernels are registered for the current backend. */
export function hasFusedAttention(): boolean {
  return kernels.registered();
}
