/**
 * The model on the wasm backend (with the project's custom kernels: gather gradients, fast
 * transposed matMul) computes what the cpu backend computes: predictions, group weights and
 * gradients, for both companions.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { createModel } from '../../../../ml/model/createModel.ts';
import type { SynthModel } from '../../../../ml/model/SynthModel.ts';
import { disposeBatchTensors } from '../../../../ml/model/tensors.ts';
import { maxAbsDiff, randomBatch, schemas, tinyConfig } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('wasm');
  await initBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

function evaluate(model: SynthModel): { prediction: Float32Array; weights: Float32Array; grads: Float32Array[] } {
  const raw = randomBatch(24, 9, { users: 8, items: 8 });
  const batch = model.toTensors(raw);
  const { prediction, groupWeights } = model.explain(batch);
  const grads = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => model.loss(batch, { training: false }).total, model.trainableVariables());
    return model.trainableVariables().map((v) => grads[v.name]!);
  });
  const result = {
    prediction: prediction.dataSync() as Float32Array,
    weights: groupWeights.dataSync() as Float32Array,
    grads: grads.map((g) => g.dataSync() as Float32Array),
  };
  tf.dispose([prediction, groupWeights, ...grads]);
  disposeBatchTensors(batch);
  return result;
}

describe.each(['mlp', 'transformer'] as const)('%s companion', (architecture) => {
  it('wasm matches cpu (predictions, group weights, every gradient)', async () => {
    const model = createModel(tinyConfig({ companion: { architecture } }), schemas);
    await tf.setBackend('cpu');
    const cpu = evaluate(model);
    await tf.setBackend('wasm');
    const wasm = evaluate(model);
    await tf.setBackend('cpu');
    expect(maxAbsDiff(cpu.prediction, wasm.prediction)).toBeLessThan(1e-5);
    expect(maxAbsDiff(cpu.weights, wasm.weights)).toBeLessThan(1e-5);
    const names = model.params.names();
    cpu.grads.forEach((g, i) => {
      const scale = Math.max(1e-3, ...Array.from(g, Math.abs));
      expect(maxAbsDiff(g, wasm.grads[i]!) / scale, names[i]).toBeLessThan(1e-3);
    });
    model.dispose();
  });
});
