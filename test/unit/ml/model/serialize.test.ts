import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { createModel } from '../../../../ml/model/createModel.ts';
import { loadModel, saveModel, SavedModelError } from '../../../../ml/model/serialize.ts';
import type { SynthModel } from '../../../../ml/model/SynthModel.ts';
import { disposeBatchTensors } from '../../../../ml/model/tensors.ts';
import { maxAbsDiff, randomBatch, schemas, tinyConfig } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const batch = randomBatch(12, 21);

function predictions(model: SynthModel): { p: Float32Array; w: Float32Array } {
  const { prediction, groupWeights } = model.explain(batch);
  const result = { p: prediction.dataSync() as Float32Array, w: groupWeights.dataSync() as Float32Array };
  tf.dispose([prediction, groupWeights]);
  return result;
}

/** A few training steps so that saved values differ from a fresh initialization. */
function train(model: SynthModel, steps: number): void {
  const tensors = model.toTensors(batch);
  const optimizer = tf.train.adam(0.05);
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      optimizer.minimize(() => model.loss(tensors, { training: true, seed: i }).total, false, model.trainableVariables());
    });
  }
  optimizer.dispose();
  disposeBatchTensors(tensors);
}

describe.each([
  ['mlp', 'attention'],
  ['transformer', 'concat'],
  ['mlp', 'weighted_sum'],
] as const)('save / load (%s companion, %s)', (architecture, mode) => {
  it('round-trips to identical predictions, including after resizing', async () => {
    const model = createModel(tinyConfig({ seed: 5, companion: { architecture }, combine: { mode } }), schemas);
    train(model, 3);
    if (architecture === 'mlp') {
      model.widen('item', 'hidden/0', 17, 1);
      model.addLayer('user', { after: 0 });
    } else {
      model.widen('user', 'layer/0/ffn', 15, 2);
    }
    train(model, 2);
    const saved = await saveModel(model);
    // Survives JSON for the metadata and a copy of the bytes (as stored in the database).
    const restored = loadModel({ ...JSON.parse(JSON.stringify({ ...saved, weights: undefined })), weights: new Uint8Array(saved.weights) });
    expect(restored.params.names()).toEqual(model.params.names());
    expect(restored.getConfig()).toEqual(model.getConfig());
    const a = predictions(model);
    const b = predictions(restored);
    expect(maxAbsDiff(a.p, b.p)).toBeLessThan(1e-6);
    expect(maxAbsDiff(a.w, b.w)).toBeLessThan(1e-6);
    expect(saved.weights.byteLength).toBe(4 * model.countParameters());
    model.dispose();
    restored.dispose();
  });
});

it('refuses weights that do not match the config, without leaking', async () => {
  const model = createModel(tinyConfig(), schemas);
  const saved = await saveModel(model);
  const before = tf.memory().numTensors;
  const widened = { ...saved, config: { ...saved.config, companion: { ...saved.config.companion, sizes: { user: { hiddenSizes: [13, 10] } } } } };
  expect(() => loadModel(widened)).toThrow(/user\/companion\/hidden\/0\/kernel": expected shape \[\d+, 13\], saved value has \[\d+, 12\]/);
  const dropped = { ...saved, weightSpecs: saved.weightSpecs.slice(0, -2), weights: saved.weights.slice(0, saved.weights.byteLength - 8) };
  expect(() => loadModel(dropped)).toThrow(SavedModelError);
  expect(() => loadModel({ ...saved, format: 'other' as typeof saved.format })).toThrow(/expected format/);
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
});
