/**
 * Fused layer-normalization kernels (forward and the input gradient) in plain TypeScript, for
 * the wasm and cpu backends. Used by ml/nn/layerNorm.ts, which falls back to stock ops where
 * these are not registered.
 *
 * Why: with tfjs ops a layer norm over [N, T, d] is ~8 kernels forward (moments, rsqrt, sub,
 * mul, add) and ~12 backward, most of them broadcasts of a [.., 1] column, which the wasm
 * backend runs in a generic loop at ~15 ns per element; the transformer companion has five per
 * training step. Here the forward pass is one kernel (two passes over each row) and the input
 * gradient another; dγ and dβ stay whole-tensor sums over the leading axes (fast on wasm: sum.ts).
 *
 * Semantics, per row of the last axis (length d), identical to the op-by-op form within float32
 * rounding (sums accumulate in float64, JS numbers):
 *   μ = Σx/d,  σ⁻¹ = 1/sqrt(Σ(x − μ)²/d + ε),  x̂ = (x − μ)·σ⁻¹,  y = γ·x̂ + β
 *   g = dy·γ,  dx = σ⁻¹·(g − mean(g) − x̂·mean(g·x̂))
 * Forward outputs: y, x̂ and σ⁻¹ (one per row), the last two saved for the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { checkFloat, ioFor } from './kernelIo.ts';
import { kernelSet } from './kernelPatch.ts';

type TensorInfo = tf.TensorInfo;

export const FUSED_LAYER_NORM = 'SynthLayerNorm';
export const FUSED_LAYER_NORM_GRAD = 'SynthLayerNormGrad';

export interface FusedLayerNormAttrs {
  readonly epsilon: number;
}

/** x [rows, d] -> y, x̂ [rows, d] and σ⁻¹ [rows]. */
export function layerNormForward(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number,
  y: Float32Array, xHat: Float32Array, invStd: Float32Array,
): void {
  const d = gamma.length;
  const rows = invStd.length;
  for (let r = 0; r < rows; r++) {
    const at = r * d;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += x[at + j]!;
    const mean = sum / d;
    let squares = 0;
    for (let j = 0; j < d; j++) {
      const centered = x[at + j]! - mean;
      squares += centered * centered;
    }
    const inv = 1 / Math.sqrt(squares / d + epsilon);
    invStd[r] = inv;
    for (let j = 0; j < d; j++) {
      const normalized = (x[at + j]! - mean) * inv;
      xHat[at + j] = normalized;
      y[at + j] = normalized * gamma[j]! + beta[j]!;
    }
  }
}

/** dy, x̂ [rows, d], σ⁻¹ [rows], γ [d] -> dx [rows, d]. */
export function layerNormInputGradient(
  dy: Float32Array, xHat: Float32Array, invStd: Float32Array, gamma: Float32Array, dx: Float32Array,
): void {
  const d = gamma.length;
  const rows = invStd.length;
  for (let r = 0; r < rows; r++) {
    const at = r * d;
    let sumG = 0;
    let sumGxHat = 0;
    for (let j = 0; j < d; j++) {
      const g = dy[at + j]! * gamma[j]!;
      sumG += g;
      sumGxHat += g * xHat[at + j]!;
    }
    const meanG = sumG / d;
    const meanGxHat = sumGxHat / d;
    const inv = invStd[r]!;
    for (let j = 0; j < d; j++) dx[at + j] = inv * (dy[at + j]! * gamma[j]! - meanG - xHat[at + j]! * meanGxHat);
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function rowsOf(shape: number[]): number {
  return tf.util.sizeFromShape(shape.slice(0, -1));
}

function forwardKernel(backendName: string, args: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  checkFloat(FUSED_LAYER_NORM, [x, gamma, beta]);
  const { epsilon } = args.attrs as unknown as FusedLayerNormAttrs;
  const io = ioFor(backendName, args.backend);
  const { infos, values } = io.outputs([x.shape, x.shape, [rowsOf(x.shape)]]);
  layerNormForward(io.read(x), io.read(gamma), io.read(beta), epsilon, values[0]!, values[1]!, values[2]!);
  return infos;
}

function gradKernel(backendName: string, args: KernelArgs): TensorInfo[] {
  const { dy, xHat, invStd, gamma } = args.inputs as { dy: TensorInfo; xHat: TensorInfo; invStd: TensorInfo; gamma: TensorInfo };
  checkFloat(FUSED_LAYER_NORM_GRAD, [dy, xHat, invStd, gamma]);
  const io = ioFor(backendName, args.backend);
  const { infos, values } = io.outputs([dy.shape]);
  layerNormInputGradient(io.read(dy), io.read(xHat), io.read(invStd), io.read(gamma), values[0]!);
  return infos;
}

/** The backends these kernels exist for. */
export const LAYER_NORM_BACKENDS: readonly string[] = ['wasm', 'cpu'];

function configsFor(backendName: string): tf.KernelConfig[] {
  return [
    { kernelName: FUSED_LAYER_NORM, backendName, kernelFunc: ((args: KernelArgs) => forwardKernel(backendName, args)) as tf.KernelFunc },
    { kernelName: FUSED_LAYER_NORM_GRAD, backendName, kernelFunc: ((args: KernelArgs) => gradKernel(backendName, args)) as tf.KernelFunc },
  ];
}

const kernels = kernelSet('fusedLayerNorm', [FUSED_LAYER_NORM, FUSED_LAYER_NORM_GRAD], new Map(LAYER_NORM_BACKENDS.map((name) => [name, configsFor(name)])));

/** Registers both kernels for `backendName` (wasm or cpu); idempotent. */
export function installFusedLayerNorm(backendName: string): void {
  kernels.install(backendName);
}

export function uninstallFusedLayerNorm(backendName: string): void {
  kernels.uninstall(backendName);
}

/** Whether the fused kernels are registered for the current backend. */
export function hasFusedLayerNorm(): boolean {
  return kernels.registered();
}
