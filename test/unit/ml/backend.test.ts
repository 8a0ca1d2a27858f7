/**
 * Backend selection (ml/backend.ts). tfjs-node is not installed on our machines, so 'auto' must
 * fall through to wasm and an explicit 'tensorflow' must fail with a clear message.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, availableBackends, initBackend } from '../../../ml/backend.ts';

describe('initBackend', () => {
  it("chooses wasm for 'auto' when tfjs-node is absent, and reports it", async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(typeof info.simd).toBe('boolean');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.kernels).toEqual(expect.arrayContaining(['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul', 'Sum']));
    expect(info.gradients).toEqual(['BatchMatMul']);
    expect(tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0])).toBe(6);
  });

  it('can be called again without re-registering kernels', async () => {
    const before = tf.getKernel('BatchMatMul', 'wasm');
    const again = await initBackend('wasm');
    expect(again.name).toBe('wasm');
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(before);
  });

  it("rejects an explicit 'tensorflow' with what was requested and what is available", async () => {
    const attempt = initBackend('tensorflow');
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(/'tensorflow' was requested.*@tensorflow\/tfjs-node.*Available backends: wasm, cpu/);
    // The failed request leaves the working backend in place.
    expect(tf.getBackend()).toBe('wasm');
    expect(availableBackends()).toEqual(['wasm', 'cpu']);
  });

  it('switches to cpu on request and back to wasm', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', threads: 1, kernels: ['UnsortedSegmentSum'] });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend('wasm');
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('can give stock tfjs for benchmarks, and patch again afterwards', async () => {
    const stock = await initBackend('wasm', { customKernels: false });
    expect(stock.kernels).toEqual([]);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    const patched = await initBackend('wasm');
    expect(patched.kernels).toContain('UnsortedSegmentSum');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('rejects an unknown backend name', async () => {
    await expect(initBackend('webgpu' as never)).rejects.toThrow(/Unknown TensorFlow.js backend 'webgpu'/);
  });
});
