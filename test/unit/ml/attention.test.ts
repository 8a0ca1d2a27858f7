/**
 * The fused attention kernels (ml/kernels/attention.ts: SIMD path on wasm when T and dh are
 * multiples of 4, scalar JS otherwise, and the JS kernel on cpu) against the stock-op reference
 * on the cpu backend: forward values and gradients with respect to qkv and the key bias, with and
 * without a dropout multiplier, with masked keys.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../ml/backend.ts';
import { hasFusedAttention, installFusedAttention, uninstallFusedAttention } from '../../../ml/kernels/attention.ts';
import { selfAttention, selfAttentionReference } from '../../../ml/nn/attention.ts';
import { maxAbsDiff, onBackend, randomArray, randomTensor } from './crossBackend.ts';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});
afterAll(() => uninstallFusedAttention('cpu'));

interface Case {
  n: number;
  t: number;
  heads: number;
  dh: number;
  dropout: boolean;
}

const cases: [string, Case][] = [
  ['SIMD path (T 16, dh 16)', { n: 5, t: 16, heads: 4, dh: 16, dropout: false }],
  ['SIMD path with dropout', { n: 3, t: 8, heads: 2, dh: 4, dropout: true }],
  ['scalar path (T 13, dh 4)', { n: 4, t: 13, heads: 2, dh: 4, dropout: true }],
  ['scalar path (dh 6)', { n: 2, t: 5, heads: 3, dh: 6, dropout: false }],
];

/** Inputs as plain arrays so each backend builds its own tensors. */
function makeInputs(c: Case): { qkv: Float32Array; bias: Float32Array; keep?: Float32Array; dy: Float32Array } {
  const d = c.heads * c.dh;
  const qkv = randomArray(c.n * c.t * 3 * d, 1).map((v) => v * 2);
  // Mask about a third of the keys (never key 0, like [CLS]).
  const mask = randomArray(c.n * c.t, 2);
  const bias = Float32Array.from(mask, (v, i) => (i % c.t !== 0 && v < -0.3 ? -1e9 : 0));
  const keep = c.dropout
    ? Float32Array.from(randomArray(c.n * c.heads * c.t * c.t, 3), (v) => (v < -0.6 ? 0 : 1 / 0.8))
    : undefined;
  return { qkv, bias, keep, dy: randomArray(c.n * c.t * d, 4) };
}

function compute(c: Case, fn: typeof selfAttention): () => tf.Tensor[] {
  return () => {
    const input = makeInputs(c);
    const d = c.heads * c.dh;
    const qkv = tf.tensor3d(input.qkv, [c.n, c.t, 3 * d]);
    const bias = tf.tensor2d(input.bias, [c.n, c.t]);
    const keep = input.keep && tf.tensor4d(input.keep, [c.n, c.heads, c.t, c.t]);
    const dy = tf.tensor3d(input.dy, [c.n, c.t, d]);
    const f = (x: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.sum(tf.mul(fn(x, b, c.heads, keep), dy));
    const { value, grads } = tf.valueAndGrads(f)([qkv, bias]);
    const out = fn(qkv, bias, c.heads, keep);
    return [out, value, ...grads];
  };
}

function expectClose(actual: { values: ArrayLike<number> }[], expected: { values: ArrayLike<number> }[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const scale = Math.max(1, ...Array.from(e.values, Math.abs));
    expect(maxAbsDiff(actual[i]!.values, e.values) / scale, `output ${i}`).toBeLessThan(2e-5);
  });
}

describe.each(cases)('fused attention, %s', (_, c) => {
  it('wasm matches the stock-op reference on cpu (forward and gradients)', async () => {
    expect(hasFusedAttention()).toBe(true);
    const reference = await onBackend('cpu', compute(c, selfAttentionReference));
    const fused = await onBackend('wasm', compute(c, selfAttention));
    expectClose(fused, reference);
  });

  it('the JS kernel on cpu matches the reference too', async () => {
    const reference = await onBackend('cpu', compute(c, selfAttentionReference));
    installFusedAttention('cpu');
    try {
      const fused = await onBackend('cpu', () => {
        expect(hasFusedAttention()).toBe(true);
        return compute(c, selfAttention)();
      });
      expectClose(fused, reference);
    } finally {
      uninstallFusedAttention('cpu');
    }
  });
});

it('rejects shapes that do not fit', () => {
  const qkv = randomTensor([2, 4, 12], 1);
  expect(() => selfAttention(qkv, tf.zeros([2, 4]), 3)).toThrow(/d divisible by 3 heads/);
  expect(() => selfAttention(qkv, tf.zeros([2, 5]), 2)).toThrow(/keyBias must be \[2, 4\]/);
  tf.dispose(qkv);
});

it('does not leak tensors in a training step', () => {
  const qkv = tf.variable(randomTensor([3, 8, 24], 5));
  const bias = tf.zeros([3, 8]);
  const step = (): void => tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(selfAttention(qkv, bias, 2, tf.ones([3, 2, 8, 8])))) as tf.Scalar, [qkv]);
    tf.dispose(grads);
  });
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([qkv, bias]);
});
