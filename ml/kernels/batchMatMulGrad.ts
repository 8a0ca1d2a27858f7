/**
 * A `BatchMatMul` gradient that handles batch broadcasting, on every backend.
 *
 * The stock gradient returns dA and dB with the output's batch dims, so `x·W` with x [B, T, D]
 * and W [D, E] (every projection in a transformer) throws "gradient of input 'b' has shape
 * B,D,E, which does not match the shape of the input". Here:
 * - operands with equal batch dims use the stock formulas unchanged;
 * - a non-transposed batched A times an unbatched B is folded into one 2-D product
 *   ([B·T, D]·[D, E]), so dW is one plain matmul instead of B products and a sum;
 * - any other broadcast uses the stock formulas, then sums over the broadcast axes.
 *
 * Gradients are global in tfjs (not per backend). `tf.fused.matMul` computes its own gradient
 * inside the op and is not affected: with a broadcast batch it still throws; reshape to 2-D.
 */
import * as tf from '@tensorflow/tfjs';
import { installGradient, uninstallGradient } from './kernelPatch.ts';

type Tensor = tf.Tensor;
type Grads = { a: () => Tensor; b: () => Tensor };

/** The stock formulas for d(op(a)·op(b)). */
function matMulGrads(dy: Tensor, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Grads {
  if (!transposeA && !transposeB) {
    return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
  }
  if (!transposeA && transposeB) {
    return { a: () => tf.matMul(dy, b, false, false), b: () => tf.matMul(dy, a, true, false) };
  }
  if (transposeA && !transposeB) {
    return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy, false, false) };
  }
  return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
}

/** Sums `grad` over the axes that broadcasting added or stretched, back to `shape`. */
export function reduceToShape(grad: Tensor, shape: number[]): Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, grad.shape);
  const summed = axes.length > 0 ? tf.sum(grad, axes) : grad;
  return tf.reshape(summed, shape);
}

function sameDims(x: number[], y: number[]): boolean {
  return x.length === y.length && x.every((dim, i) => dim === y[i]);
}

export function batchMatMulGradFunc(dy: Tensor, saved: Tensor[], attrs: tf.NamedAttrMap): Record<string, () => Tensor> {
  const [a, b] = saved as [Tensor, Tensor];
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  if (sameDims(outerA, outerB)) return matMulGrads(dy, a, b, transposeA, transposeB);
  if (!transposeA && tf.util.sizeFromShape(outerB) === 1) {
    const k = a.shape[a.rank - 1]!;
    const n = dy.shape[dy.rank - 1]!;
    // Built inside each closure so the reshapes live in the engine's per-gradient tidy.
    const folded = (): Grads =>
      matMulGrads(tf.reshape(dy, [-1, n]), tf.reshape(a, [-1, k]), tf.reshape(b, b.shape.slice(-2)), false, transposeB);
    return { a: () => tf.reshape(folded().a(), a.shape), b: () => tf.reshape(folded().b(), b.shape) };
  }
  const grads = matMulGrads(dy, a, b, transposeA, transposeB);
  return { a: () => reduceToShape(grads.a(), a.shape), b: () => reduceToShape(grads.b(), b.shape) };
}

export const batchMatMulGradConfig: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: batchMatMulGradFunc as tf.GradConfig['gradFunc'],
};

/** Installs the gradient; false if it already was. */
export function installBatchMatMulGrad(): boolean {
  return installGradient(batchMatMulGradConfig);
}

export function uninstallBatchMatMulGrad(): void {
  uninstallGradient(tf.BatchMatMul);
}
