import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { createModel } from '../../../../ml/model/index.ts';
import { bprLoss, rankingLoss, sampledSoftmaxLoss } from '../../../../ml/model/rankingLoss.ts';
import { randomBatch, schemas, tinyConfig } from './fixtures.ts';

const softplus = (x: number): number => Math.log1p(Math.exp(x));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Value and gradient of `loss` at `scores`. */
function valueAndGrad(loss: (scores: tf.Tensor1D) => tf.Scalar, scores: number[]): { value: number; grad: number[] } {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => loss(x as tf.Tensor1D))(tf.tensor1d(scores));
    return { value: value.dataSync()[0]!, grad: [...grad.dataSync()] };
  });
}

describe('ranking losses', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('BPR averages softplus(negative - positive) over the pairs of each group, pushing positives up and negatives down', () => {
    // Two groups of [positive, negative, negative].
    const scores = [2, 0, 3, 1, 1, -1];
    const { value, grad } = valueAndGrad((s) => bprLoss(s, 3), scores);
    const pairs = [0 - 2, 3 - 2, 1 - 1, -1 - 1];
    expect(value).toBeCloseTo(pairs.reduce((sum, d) => sum + softplus(d), 0) / 4, 5);
    expect(grad[0]).toBeCloseTo(-(sigmoid(-2) + sigmoid(1)) / 4, 5);
    expect(grad[1]).toBeCloseTo(sigmoid(-2) / 4, 5);
    expect(grad[2]).toBeCloseTo(sigmoid(1) / 4, 5);
    expect(grad[0]).toBeLessThan(0);
    expect(grad[3]).toBeLessThan(0);
    for (const negative of [1, 2, 4, 5]) expect(grad[negative]).toBeGreaterThan(0);
  });

  it('BPR only sees differences within a group and stays finite for large margins', () => {
    const shifted = valueAndGrad((s) => bprLoss(s, 2), [5, 1, -3, 0]);
    const base = valueAndGrad((s) => bprLoss(s, 2), [105, 101, 97, 100]);
    expect(base.value).toBeCloseTo(shifted.value, 4);
    const far = valueAndGrad((s) => bprLoss(s, 2), [-500, 500]);
    expect(far.value).toBeCloseTo(1000, 2);
    expect(far.grad).toEqual([-1, 1]);
  });

  it('sampled softmax is the cross-entropy of the positive within its group, and BPR for groups of two', () => {
    const scores = [1, 2, 0, 0, 0, 0];
    const { value, grad } = valueAndGrad((s) => sampledSoftmaxLoss(s, 3), scores);
    const first = Math.log(Math.exp(1) + Math.exp(2) + 1) - 1;
    const second = Math.log(3);
    expect(value).toBeCloseTo((first + second) / 2, 5);
    const z = Math.exp(1) + Math.exp(2) + 1;
    expect(grad[0]).toBeCloseTo((Math.exp(1) / z - 1) / 2, 5);
    expect(grad[1]).toBeCloseTo(Math.exp(2) / z / 2, 5);
    expect(grad[3]).toBeCloseTo((1 / 3 - 1) / 2, 5);
    const pairs = [0.5, -1, 2, 2.5];
    expect(valueAndGrad((s) => sampledSoftmaxLoss(s, 2), pairs).value).toBeCloseTo(valueAndGrad((s) => bprLoss(s, 2), pairs).value, 5);
    expect(valueAndGrad((s) => sampledSoftmaxLoss(s, 2), [1000, -1000]).value).toBeCloseTo(0, 5);
  });

  it('rejects rows that are not whole groups, and needs a group size unless it is none', () => {
    expect(() => tf.tidy(() => bprLoss(tf.tensor1d([1, 2, 3]), 2))).toThrow(/not a multiple of groupSize 2/);
    expect(() => tf.tidy(() => sampledSoftmaxLoss(tf.tensor1d([1, 2]), 1))).toThrow(/at least 2 rows/);
    expect(() => tf.tidy(() => rankingLoss('bpr', tf.tensor1d([1, 2]), undefined))).toThrow(/ExampleSet.groupSize/);
    expect(tf.tidy(() => rankingLoss('none', tf.tensor1d([1, 2]), undefined).dataSync()[0])).toBe(0);
  });

  it('enters SynthModel.loss by its weights and leaks no tensor', () => {
    const model = createModel(tinyConfig({ regularization: { l1: 0, l2: 0 }, retrieval: { weight: 0 } }), schemas);
    const batch = { ...randomBatch(8, 3), label: Float32Array.from([1, 0, 1, 0, 1, 0, 1, 0]), groupSize: 2 };
    const before = tf.memory().numTensors;
    const losses = tf.tidy(() => {
      const tensors = model.toTensors(batch);
      const options = { training: false };
      const pointwise = model.loss(tensors, options);
      const mixed = model.loss(tensors, options, { loss: 'bpr', weight: 0.5, pointwiseWeight: 1 });
      const rankOnly = model.loss(tensors, options, { loss: 'softmax', weight: 1, pointwiseWeight: 0 });
      return [pointwise.total, pointwise.ranking, mixed.total, mixed.task, mixed.ranking, rankOnly.total, rankOnly.ranking].map((t) => t.dataSync()[0]!);
    });
    expect(tf.memory().numTensors).toBe(before);
    const [pointwiseTotal, pointwiseRanking, mixedTotal, mixedTask, mixedRanking, rankOnlyTotal, rankOnlyRanking] = losses as number[];
    expect(pointwiseRanking).toBe(0);
    expect(mixedTotal).toBeCloseTo(mixedTask! + 0.5 * mixedRanking!, 5);
    expect(pointwiseTotal).toBeCloseTo(mixedTask!, 5);
    expect(rankOnlyTotal).toBeCloseTo(rankOnlyRanking!, 5);
    expect(mixedRanking).toBeCloseTo(rankOnlyRanking!, 5);
    expect(() => tf.tidy(() => model.loss(model.toTensors({ ...batch, groupSize: 3 }), { training: false }, { loss: 'bpr', weight: 1, pointwiseWeight: 1 }).total)).toThrow(/groupSize/);
    model.dispose();
  });
});
