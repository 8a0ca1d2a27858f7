/**
 * Seeded initializers. Each returns a new tensor; the seed comes from the parameter registry
 * (model seed + variable name), so the same config and seed always give the same weights.
 */
import * as tf from '@tensorflow/tfjs';

export type Initializer = (shape: readonly number[], seed: number) => tf.Tensor;

function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const fanOut = shape[shape.length - 1]!;
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return { fanIn, fanOut };
}

/** Glorot (Xavier) uniform: for linear / tanh / sigmoid / attention projections. */
export const glorotUniform: Initializer = (shape, seed) => {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
  return tf.randomUniform([...shape], -limit, limit, 'float32', seed);
};

/** He normal (truncated): for layers followed by ReLU. */
export const heNormal: Initializer = (shape, seed) => {
  const { fanIn } = fans(shape);
  return tf.truncatedNormal([...shape], 0, Math.sqrt(2 / Math.max(1, fanIn)), 'float32', seed);
};

/** Normal with a fixed standard deviation: embeddings. */
export function normal(stddev: number): Initializer {
  return (shape, seed) => tf.randomNormal([...shape], 0, stddev, 'float32', seed);
}

export const zeros: Initializer = (shape) => tf.zeros([...shape]);
export const ones: Initializer = (shape) => tf.ones([...shape]);

export function constant(value: number): Initializer {
  return (shape) => tf.fill([...shape], value);
}

/** Identity matrix (square shapes only): function-preserving new layers. */
export const identity: Initializer = (shape) => {
  if (shape.length !== 2 || shape[0] !== shape[1]) {
    throw new Error(`identity initializer expects a square 2-D shape, got [${shape.join(', ')}]`);
  }
  return tf.eye(shape[0]!);
};
