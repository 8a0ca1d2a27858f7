import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { createModel } from '../../../../ml/model/createModel.ts';
import { loadModel, saveModel } from '../../../../ml/model/serialize.ts';
import { disposeBatchTensors } from '../../../../ml/model/tensors.ts';
import { maxAbsDiff, randomBatch, schemas, tinyConfig } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('combine.idInteraction', () => {
  it('adds the ID x synthetic groups, trains them, leaks nothing and survives a save/load round trip', async () => {
    const model = createModel(tinyConfig({ combine: { mode: 'attention', idInteraction: true } }), schemas);
    expect(model.groupNames.slice(-2)).toEqual(['user_id_x_item', 'item_id_x_user']);
    const batch = model.toTensors(randomBatch(16, 2, { users: 6, items: 6 }));
    const before = tf.memory().numTensors;
    const norms = tf.tidy(() => {
      const variables = model.trainableVariables();
      const { grads } = tf.variableGrads(() => model.loss(batch, { training: true, seed: 1 }).total, variables);
      return model.namedVariables()
        .filter(([name]) => name.includes('id_interaction'))
        .map(([name, v]) => [name, tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]!] as const);
    });
    expect(norms.length).toBe(4);
    for (const [, norm] of norms) expect(norm).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    const predictions = model.predict(batch);
    const reloaded = loadModel(await saveModel(model));
    const again = reloaded.predict(batch);
    expect(maxAbsDiff(predictions.dataSync(), again.dataSync())).toBeLessThan(1e-6);
    tf.dispose([predictions, again]);
    disposeBatchTensors(batch);
    model.dispose();
    reloaded.dispose();
  });

  it('is off by default: the groups of models trained before it are unchanged', () => {
    const model = createModel(tinyConfig(), schemas);
    expect(model.groupNames).not.toContain('user_id_x_item');
    model.dispose();
  });
});
