/**
 * Helpers for tests that compare the wasm backend (with our kernels) against the stock cpu
 * backend. tfjs is a process-wide singleton and vitest runs each test file in its own process,
 * so a test file may switch backends freely as long as it puts wasm back (`onBackend` does).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** What a computation returns, read back to plain arrays (so it survives a backend switch). */
export interface Readback {
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

type Computation = () => tf.Tensor | tf.Tensor[];

function readBack(result: tf.Tensor | tf.Tensor[]): Readback[] {
  const tensors = Array.isArray(result) ? result : [result];
  return tensors.map((t) => ({ shape: t.shape, values: t.dataSync() as Readback['values'] }));
}

/** Runs `compute` on `backend` (inside tf.tidy), reads the result back, and returns to wasm. */
export async function onBackend(backend: 'cpu' | 'wasm', compute: Computation): Promise<Readback[]> {
  await tf.setBackend(backend);
  try {
    const result = tf.tidy(compute);
    const values = readBack(result);
    tf.dispose(result);
    return values;
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Deterministic pseudo-random normal-ish values (sum of uniforms), the same on every backend. */
export function randomArray(size: number, seed: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = uniform() + uniform() + uniform() - 1.5;
  return out;
}

/** A tensor of the given shape filled by randomArray. */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomArray(tf.util.sizeFromShape(shape), seed), shape);
}

/** Largest |a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/**
 * Expects equal shapes and values within `tolerance`, relative to the largest magnitude in
 * `expected` (at least 1): float32 sums of many products differ in their last bits.
 */
export function expectClose(actual: Readback[], expected: Readback[], tolerance = 1e-5, label = ''): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((got, i) => {
    const want = expected[i]!;
    expect(got.shape, `${label} shape of output ${i}`).toEqual(want.shape);
    expect(got.values.length, `${label} data size of output ${i}`).toBe(want.values.length);
    let scale = 1;
    for (const v of want.values) scale = Math.max(scale, Math.abs(v));
    expect(maxAbsDiff(got.values, want.values), `${label} output ${i}`).toBeLessThanOrEqual(tolerance * scale);
  });
}

/** Runs `compute` on stock cpu and on wasm and expects the same results. */
export async function expectSameOnCpuAndWasm(compute: Computation, tolerance = 1e-5, label = ''): Promise<void> {
  const expected = await onBackend('cpu', compute);
  const actual = await onBackend('wasm', compute);
  expectClose(actual, expected, tolerance, label);
}
