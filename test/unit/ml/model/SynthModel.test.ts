import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { createModel } from '../../../../ml/model/createModel.ts';
import { ModelConfigError } from '../../../../ml/model/ModelConfig.ts';
import { ModelInputError } from '../../../../ml/model/schemas.ts';
import { disposeBatchTensors } from '../../../../ml/model/tensors.ts';
import { maxAbsDiff, randomBatch, schemas, tinyConfig } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe.each(['mlp', 'transformer'] as const)('SynthModel with the %s companion', (architecture) => {
  it('forward: output [B], synthUser [U, S], synthItem [I, S], groupWeights [B, G] summing to 1', () => {
    const model = createModel(tinyConfig({ companion: { architecture } }), schemas);
    const batch = model.toTensors(randomBatch(12, 1, { users: 5, items: 7 }));
    let groupNames: readonly string[] = [];
    const r = tf.tidy(() => {
      const f = model.forward(batch, { training: true, seed: 4 });
      groupNames = f.groupNames;
      return { output: f.output, synthUser: f.synthUser, synthItem: f.synthItem, groupWeights: f.groupWeights, sums: tf.sum(f.groupWeights, 1) };
    });
    expect(r.output.shape).toEqual([12]);
    expect(r.synthUser.shape).toEqual([5, 6]);
    expect(r.synthItem.shape).toEqual([7, 6]);
    expect(r.groupWeights.shape).toEqual([12, 6]);
    expect(groupNames).toEqual(['user_id', 'item_id', 'aggregates', 'user_synth', 'item_synth', 'user_x_item']);
    for (const s of r.sums.dataSync()) expect(s).toBeCloseTo(1, 5);
    // synthesize() gives the same features as the forward pass (inference mode).
    const forwardEval = tf.tidy(() => model.forward(batch, { training: false }).synthItem);
    const items = model.synthesize('item', randomBatch(12, 1, { users: 5, items: 7 }).items);
    expect(maxAbsDiff(forwardEval.dataSync(), items.dataSync())).toBeLessThan(1e-6);
    tf.dispose([r.output, r.synthUser, r.synthItem, r.groupWeights, r.sums, forwardEval, items]);
    disposeBatchTensors(batch);
    model.dispose();
  });

  it('the loss gives every companion variable a non-zero gradient', () => {
    const model = createModel(tinyConfig({ companion: { architecture }, regularization: { l1: 0.01, l2: 0.01 } }), schemas);
    const batch = model.toTensors(randomBatch(32, 2, { users: 10, items: 10 }));
    const names = model.params.names();
    const norms = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => model.loss(batch, { training: true, seed: 1 }).total, model.trainableVariables());
      return model.trainableVariables().map((v) => tf.sum(tf.abs(grads[v.name]!)));
    });
    const companionNames = names.filter((n) => n.includes('/companion/'));
    expect(companionNames.length).toBeGreaterThan(10);
    const zero = names.filter((n, i) => norms[i]!.dataSync()[0] === 0);
    expect(zero).toEqual([]);
    tf.dispose(norms);
    disposeBatchTensors(batch);
    model.dispose();
  });
});

describe('SynthModel', () => {
  it('loss = task + w_r * retrieval task + l1 * mean|s| + l2 * mean s^2', () => {
    const model = createModel(tinyConfig({ regularization: { l1: 0.3, l2: 0.2 }, retrieval: { weight: 0.4 } }), schemas);
    const batch = model.toTensors(randomBatch(8, 3));
    const [total, task, retrieval, abs, square] = tf.tidy(() => {
      const l = model.loss(batch, { training: false });
      return [l.total, l.task, l.retrieval, l.synthMeanAbs, l.synthMeanSquare].map((t) => t.dataSync()[0]!);
    }) as unknown as number[];
    expect(total!).toBeCloseTo(task! + 0.4 * retrieval! + 0.3 * abs! + 0.2 * square!, 5);
    expect(abs!).toBeGreaterThan(0);
    expect(retrieval!).toBeGreaterThan(0);
    disposeBatchTensors(batch);
    model.dispose();
  });

  it('scores from given synthetic features exactly as the full forward pass, and retrieval queries reproduce the retrieval head', () => {
    const model = createModel(tinyConfig({ combine: { mode: 'attention' } }), schemas);
    const example = randomBatch(9, 6, { users: 4, items: 5 });
    const full = model.explain(example);
    const synthUser = model.synthesize('user', example.users);
    const synthItem = model.synthesize('item', example.items);
    const scored = model.scoreFromSynthetic({
      size: example.size, userId: example.userId, itemId: example.itemId, aggregates: example.aggregates,
      synthUser: synthUser.dataSync() as Float32Array, userCount: 4, userRow: example.userRow,
      synthItem: synthItem.dataSync() as Float32Array, itemCount: 5, itemRow: example.itemRow,
    });
    expect(maxAbsDiff(scored.prediction.dataSync(), full.prediction.dataSync())).toBeLessThan(1e-6);
    expect(maxAbsDiff(scored.groupWeights.dataSync(), full.groupWeights.dataSync())).toBeLessThan(1e-6);
    expect(scored.combined.shape[0]).toBe(9);

    const queries = model.retrievalQueries(synthUser);
    const tensors = model.toTensors(example);
    const retrieval = tf.tidy(() => model.forward(tensors, { training: false }).retrieval.dataSync());
    const q = queries.dataSync(), u = synthItem.dataSync(), s = 6;
    const bias = model.retrievalBias();
    for (let b = 0; b < example.size; b++) {
      let dot = bias;
      for (let k = 0; k < s; k++) dot += q[example.userRow[b]! * s + k]! * u[example.itemRow[b]! * s + k]!;
      expect(dot).toBeCloseTo(retrieval[b]!, 5);
    }
    expect(() => model.scoreFromSynthetic({
      size: 1, userId: new Int32Array(1), itemId: new Int32Array(1), aggregates: new Float32Array(3),
      synthUser: new Float32Array(5), userCount: 1, userRow: new Int32Array(1),
      synthItem: new Float32Array(6), itemCount: 1, itemRow: new Int32Array(1),
    })).toThrow(/batch.synthUser: expected 6 values/);
    tf.dispose([full.prediction, full.groupWeights, synthUser, synthItem, scored.prediction, scored.groupWeights, scored.combined, queries]);
    disposeBatchTensors(tensors);
    model.dispose();
  });

  it('is deterministic: same seed -> same initial predictions; another seed -> different ones', () => {
    const batch = randomBatch(10, 4);
    const predict = (seed: number): Float32Array => {
      const model = createModel(tinyConfig({ seed, companion: { architecture: 'transformer' } }), schemas);
      const p = model.predict(batch);
      const values = p.dataSync() as Float32Array;
      p.dispose();
      model.dispose();
      return values;
    };
    const a = predict(1);
    expect(Array.from(predict(1))).toEqual(Array.from(a));
    expect(maxAbsDiff(predict(2), a)).toBeGreaterThan(1e-4);
    expect(Array.from(a).every((p) => p > 0 && p < 1)).toBe(true);
  });

  it('seeded training forward passes (dropout, original-feature dropout) are reproducible', () => {
    const model = createModel(tinyConfig({ original: { featureDropout: 0.5 }, companion: { architecture: 'transformer' } }), schemas);
    const batch = model.toTensors(randomBatch(16, 5));
    const run = (seed: number): Float32Array => tf.tidy(() => model.forward(batch, { training: true, seed }).output.dataSync() as Float32Array);
    expect(Array.from(run(3))).toEqual(Array.from(run(3)));
    expect(maxAbsDiff(run(3), run(4))).toBeGreaterThan(1e-5);
    disposeBatchTensors(batch);
    model.dispose();
  });

  it.each([
    ['mlp', 50],
    ['transformer', 10],
  ] as const)('does not leak tensors over Adam steps (%s companion, %i steps)', (architecture, steps) => {
    const model = createModel(tinyConfig({ companion: { architecture }, regularization: { l1: 0.01 } }), schemas);
    const batch = model.toTensors(randomBatch(16, 6));
    const optimizer = tf.train.adam(0.01);
    const step = (i: number): void => {
      tf.tidy(() => {
        optimizer.minimize(() => model.loss(batch, { training: true, seed: i }).total, false, model.trainableVariables());
      });
    };
    step(0); // creates Adam's slots
    const start = tf.memory().numTensors;
    for (let i = 1; i <= steps; i++) step(i);
    expect(tf.memory().numTensors).toBe(start);
    const p = model.predict(randomBatch(4, 1));
    expect(tf.memory().numTensors).toBe(start + 1);
    p.dispose();
    const s = model.synthesize('user', randomBatch(4, 1).users);
    s.dispose();
    expect(tf.memory().numTensors).toBe(start);
    optimizer.dispose();
    disposeBatchTensors(batch);
    model.dispose();
  });

  it('regression: outputs ratings and trains on MSE', () => {
    const model = createModel(tinyConfig({ task: 'regression', combine: { mode: 'weighted_sum' } }), schemas);
    const raw = randomBatch(16, 7);
    const batch = model.toTensors({ ...raw, label: raw.label!.map((l) => 1 + 4 * l) });
    const optimizer = tf.train.adam(0.02);
    const loss = (): number => tf.tidy(() => model.loss(batch, { training: false }).task.dataSync()[0]!);
    const first = loss();
    for (let i = 0; i < 30; i++) {
      tf.tidy(() => {
        optimizer.minimize(() => model.loss(batch, { training: true, seed: i }).total, false, model.trainableVariables());
      });
    }
    expect(loss()).toBeLessThan(first / 2);
    optimizer.dispose();
    disposeBatchTensors(batch);
    model.dispose();
  });

  it('rejects bad configs, schemas and batches with precise messages', () => {
    expect(() => createModel({ combine: { mode: 'gated' as 'concat' } }, schemas)).toThrow(ModelConfigError);
    expect(() => createModel({}, { ...schemas, user: { ...schemas.user, categoricalNames: ['x'] } })).toThrow(
      /schemas\.user: categoricalNames \(1\) and categoricalVocabSizes \(2\) must have the same length/,
    );
    const model = createModel(tinyConfig(), schemas);
    const batch = randomBatch(4, 8);
    expect(() => model.toTensors({ ...batch, itemRow: new Int32Array([0, 1, 9, 0]) })).toThrow(/batch\.itemRow\[2\]: expected an index in \[0, 2\), got 9/);
    expect(() => model.toTensors({ ...batch, aggregates: new Float32Array(3) })).toThrow(/batch\.aggregates: expected 12 values \(4 x 3\), got 3/);
    expect(() => model.toTensors({ ...batch, users: { ...batch.users, modalities: [] } })).toThrow(/batch\.users\.modalities: expected 1 \(avatar\), got 0/);
    const { label: _label, ...unlabeled } = batch;
    const tensors = model.toTensors(unlabeled);
    expect(() => model.loss(tensors, { training: true })).toThrow(ModelInputError);
    disposeBatchTensors(tensors);
    model.dispose();
  });
});
