/**
 * ml/nn/layerNorm.ts: values and closed-form gradients against a plain-ops reference
 * differentiated by tfjs, on cpu (stock ops, and the fused kernels when installed) and wasm
 * (fused kernels, registered by initBackend); use inside an optimizer; no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../ml/backend.ts';
import { hasFusedLayerNorm, installFusedLayerNorm, uninstallFusedLayerNorm } from '../../../ml/kernels/layerNorm.ts';
import { layerNorm, layerNormReference } from '../../../ml/nn/layerNorm.ts';
import { expectClose, onBackend, randomTensor } from './crossBackend.ts';

/** The textbook formula, differentiated by autodiff. */
function referenceLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gamma), beta);
}

const inputs = (): tf.Tensor[] => [
  tf.add(tf.mul(randomTensor([2, 3, 8], 1), 3), 1),
  tf.add(randomTensor([8], 2), 1),
  randomTensor([8], 3),
];

beforeAll(async () => {
  await initBackend('wasm');
});

describe('layerNorm', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`normalizes the last axis like the formula on ${backend}`, async () => {
      const expected = await onBackend(backend, () => {
        const [x, g, b] = inputs();
        return referenceLayerNorm(x!, g!, b!);
      });
      const actual = await onBackend(backend, () => {
        const [x, g, b] = inputs();
        return layerNorm(x!, g!, b!);
      });
      expectClose(actual, expected, 1e-5);
    });

    it(`has gradients for x, gamma and beta equal to autodiff on ${backend}`, async () => {
      const weights = () => randomTensor([2, 3, 8], 4);
      const loss = (norm: typeof layerNorm) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(norm(x, g, b), weights()));
      const expected = await onBackend(backend, () => tf.grads(loss(referenceLayerNorm as typeof layerNorm))(inputs()));
      const actual = await onBackend(backend, () => tf.grads(loss(layerNorm))(inputs()));
      expect(actual.map((r) => r.shape)).toEqual([[2, 3, 8], [8], [8]]);
      expectClose(actual, expected, 1e-5);
    });
  }

  it('runs the fused kernels on wasm and agrees with the op-by-op form on a [5, 13] input', async () => {
    expect(hasFusedLayerNorm()).toBe(true);
    const make = (): tf.Tensor[] => [tf.add(tf.mul(randomTensor([5, 13], 7), 5), -2), randomTensor([13], 8), randomTensor([13], 9)];
    const weights = () => randomTensor([5, 13], 10);
    const loss = (norm: typeof layerNorm) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(norm(x, g, b), weights()));
    const fused = await onBackend('wasm', () => [layerNorm(...(make() as [tf.Tensor, tf.Tensor, tf.Tensor])), ...tf.grads(loss(layerNorm))(make())]);
    const reference = await onBackend('wasm', () => [layerNormReference(...(make() as [tf.Tensor, tf.Tensor, tf.Tensor])), ...tf.grads(loss(layerNormReference))(make())]);
    expectClose(fused, reference, 1e-5);
  });

  it('gives the same values and gradients with the fused kernels installed on cpu', async () => {
    const weights = () => randomTensor([2, 3, 8], 4);
    const loss = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(x, g, b), weights()));
    const compute = () => [layerNorm(...(inputs() as [tf.Tensor, tf.Tensor, tf.Tensor])), ...tf.grads(loss)(inputs())];
    const stock = await onBackend('cpu', compute);
    installFusedLayerNorm('cpu');
    try {
      const fused = await onBackend('cpu', () => {
        expect(hasFusedLayerNorm()).toBe(true);
        return compute();
      });
      expectClose(fused, stock, 1e-5);
    } finally {
      uninstallFusedLayerNorm('cpu');
    }
  });

  it('rejects gamma or beta that do not match the last axis', () => {
    tf.tidy(() => {
      expect(() => layerNorm(tf.zeros([2, 4]), tf.ones([3]), tf.zeros([4]))).toThrow(/gamma must have shape \[4\]/);
      expect(() => layerNorm(tf.zeros([2, 4]), tf.ones([4]), tf.zeros([1, 4]))).toThrow(/beta must have shape \[4\]/);
    });
  });

  it('trains gamma and beta with an optimizer without leaking tensors', () => {
    const gamma = tf.variable(tf.ones([8]), true, 'ln-gamma');
    const beta = tf.variable(tf.zeros([8]), true, 'ln-beta');
    const x = randomTensor([16, 8], 5);
    const target = randomTensor([16, 8], 6);
    const optimizer = tf.train.adam(0.05);
    const step = (): number => tf.tidy(() => {
      const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, layerNorm(x, gamma, beta)) as tf.Scalar, true, [gamma, beta])!;
      return loss.dataSync()[0]!;
    });
    const first = step();
    step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 50; i++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    tf.dispose([gamma, beta, x, target]);
    optimizer.dispose();
  });
});
