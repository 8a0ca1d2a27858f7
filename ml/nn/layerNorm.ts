/**
 * Layer normalization over the last axis, for hand-written models.
 *
 * Not tf.layers.layerNormalization: its backprop runs one tiny op per row (10.8 s for one
 * training step measured). This is a handful of whole-tensor ops with broadcasting, and its
 * gradient is written out in closed form (tf.customGrad) so backprop costs about as much as the
 * forward pass instead of differentiating through tf.moments op by op:
 *   x̂ = (x − μ) / σ,  y = γ·x̂ + β,  σ = sqrt(var + ε)
 *   dβ = Σ dy,  dγ = Σ dy·x̂   (sums over all leading axes)
 *   dx = (1/σ) · (g − mean(g) − x̂·mean(g·x̂)),  g = dy·γ   (means over the last axis)
 * Works on every backend (uses only elementwise ops, sums and means). Where the fused kernels of
 * ml/kernels/layerNorm.ts are registered (wasm, by initBackend), the forward pass and dx are one
 * kernel each instead (same values within float32 rounding: test/unit/ml/layerNorm.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_LAYER_NORM, FUSED_LAYER_NORM_GRAD, type FusedLayerNormAttrs, hasFusedLayerNorm } from '../kernels/layerNorm.ts';

type Tensor = tf.Tensor;

function assertParams(x: Tensor, gamma: Tensor, beta: Tensor): void {
  const features = x.shape[x.rank - 1];
  for (const [name, param] of [['gamma', gamma], ['beta', beta]] as const) {
    if (param.rank !== 1 || param.shape[0] !== features) {
      throw new Error(`layerNorm: ${name} must have shape [${features}] (the last axis of x [${x.shape}]), got [${param.shape}]`);
    }
  }
}

/** The gradient of layerNorm for dy, given what the forward pass saved. */
function layerNormGrad(dy: Tensor, xHat: Tensor, invStd: Tensor, gamma: Tensor): Tensor[] {
  const last = xHat.rank - 1;
  const leading = Array.from({ length: last }, (_, axis) => axis);
  const g = tf.mul(dy, gamma);
  const meanG = tf.mean(g, last, true);
  const meanGxHat = tf.mean(tf.mul(g, xHat), last, true);
  const dx = tf.mul(invStd, tf.sub(tf.sub(g, meanG), tf.mul(xHat, meanGxHat)));
  const dGamma = tf.sum(tf.mul(dy, xHat), leading);
  const dBeta = tf.sum(dy, leading);
  return [dx, dGamma, dBeta];
}

/** The gradient of the fused kernel: dx from its own kernel, dγ and dβ as leading-axis sums. */
function fusedGradient(dy: Tensor | Tensor[], saved: Tensor[]): Record<string, () => Tensor> {
  const dY = Array.isArray(dy) ? dy[0]! : dy;
  const [gamma, xHat, invStd] = saved as [Tensor, Tensor, Tensor];
  const leading = Array.from({ length: xHat.rank - 1 }, (_, axis) => axis);
  return {
    x: () => (tf.engine().runKernel(FUSED_LAYER_NORM_GRAD, { dy: dY, xHat, invStd, gamma }) as Tensor[])[0]!,
    gamma: () => tf.sum(tf.mul(dY, xHat), leading),
    beta: () => tf.sum(dY, leading),
  };
}

const fusedGradConfig: tf.GradConfig = {
  kernelName: FUSED_LAYER_NORM,
  inputsToSave: ['gamma'],
  outputsToSave: [false, true, true],
  gradFunc: fusedGradient as tf.GradConfig['gradFunc'],
};

/** Gradients are global (all backends) and this one belongs to our own kernel name: register once. */
function ensureGradient(): void {
  if (tf.getGradient(FUSED_LAYER_NORM) == null) tf.registerGradient(fusedGradConfig);
}

/** The op-by-op form with its closed-form gradient (any backend). */
export function layerNormReference<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, epsilon = 1e-5): T {
  assertParams(x, gamma, beta);
  // customGrad passes the inputs then the save function, typed as one union array.
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, shift, save] = args as [Tensor, Tensor, Tensor, tf.GradSaveFunc];
    const last = input.rank - 1;
    const { mean, variance } = tf.moments(input, last, true);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xHat = tf.mul(tf.sub(input, mean), invStd);
    save([xHat, invStd, scale]);
    return {
      value: tf.add(tf.mul(xHat, scale), shift),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [savedXHat, savedInvStd, savedScale] = saved as [Tensor, Tensor, Tensor];
        return layerNormGrad(dy, savedXHat, savedInvStd, savedScale);
      },
    };
  });
  return op(x, gamma, beta) as T;
}

/**
 * Normalizes `x` over its last axis, then scales by `gamma` and shifts by `beta` (both shaped
 * [x.shape.at(-1)]). Differentiable with respect to all three.
 */
export function layerNorm<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, epsilon = 1e-5): T {
  if (!hasFusedLayerNorm() || [x, gamma, beta].some((t) => t.dtype !== 'float32')) return layerNormReference(x, gamma, beta, epsilon);
  assertParams(x, gamma, beta);
  ensureGradient();
  const attrs: FusedLayerNormAttrs = { epsilon };
  const [y] = tf.engine().runKernel(FUSED_LAYER_NORM, { x, gamma, beta }, attrs as unknown as tf.NamedAttrMap) as Tensor[];
  return y as T;
}
