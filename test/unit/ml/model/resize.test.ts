import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { createModel } from '../../../../ml/model/createModel.ts';
import type { SynthModel } from '../../../../ml/model/SynthModel.ts';
import { toEntityTensors } from '../../../../ml/model/tensors.ts';
import { maxAbsDiff, randomEntityInputs, schemas, tinyConfig, userSchema } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const users = randomEntityInputs(userSchema, 16, 5);

function synth(model: SynthModel): Float32Array {
  const out = model.synthesize('user', users);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

function zeroUnits(model: SynthModel, kernel: string, axis: 0 | 1, units: number[]): void {
  const variable = model.params.get(kernel);
  const value = tf.tidy(() => {
    const size = variable.shape[axis]!;
    const keep = Array.from({ length: size }, (_, i) => (units.includes(i) ? 0 : 1));
    return tf.mul(variable, axis === 1 ? tf.tensor2d(keep, [1, size]) : tf.tensor2d(keep, [size, 1]));
  });
  variable.assign(value);
  value.dispose();
}

describe('MLP companion dynamic size', () => {
  it('widen keeps outputs (1e-5), updates sizes and config, and breaks symmetry', () => {
    const model = createModel(tinyConfig(), schemas);
    const before = synth(model);
    const change = model.widen('user', 'hidden/0', 20, 99);
    expect(change).toMatchObject({ kind: 'widen', entity: 'user', layer: 'hidden/0', from: 12, to: 20, functionPreserving: true });
    expect(change.kind === 'widen' && change.copiedUnits.length).toBe(8);
    expect(model.params.get('user/companion/hidden/0/kernel').shape[1]).toBe(20);
    expect(model.params.get('user/companion/hidden/1/kernel').shape[0]).toBe(20);
    expect(maxAbsDiff(before, synth(model))).toBeLessThan(1e-5);
    // The copy of unit j gets a different gradient than unit j (outgoing weights split unevenly).
    const copied = change.kind === 'widen' ? change.copiedUnits[0]! : -1;
    const kernel = model.params.get('user/companion/hidden/0/kernel');
    const grads = tf.tidy(() => {
      const tensors = toEntityTensors(users, userSchema);
      return tf.variableGrads(() => tf.sum(tf.square(model.companion('user').apply(tensors, { training: false }))), [kernel]).grads[kernel.name]!;
    });
    const g = grads.arraySync() as number[][];
    grads.dispose();
    const original = g.map((row) => row[copied]!);
    const copy = g.map((row) => row[12]!);
    expect(maxAbsDiff(original, copy)).toBeGreaterThan(1e-6);
    model.widen('user', 'hidden/1', 13, 5);
    expect(maxAbsDiff(before, synth(model))).toBeLessThan(1e-5);
    expect(model.getConfig().companion.sizes.user?.hiddenSizes).toEqual([20, 13]);
    expect(model.getConfig().companion.sizes.item).toBeUndefined();
    expect(model.companion('item').hiddenLayers()).toEqual([{ name: 'hidden/0', units: 12 }, { name: 'hidden/1', units: 10 }]);
    expect(() => model.widen('user', 'hidden/7', 30, 1)).toThrow(/unknown hidden layer "hidden\/7", expected one of "hidden\/0", "hidden\/1"/);
    expect(() => model.widen('user', 'hidden/0', 20, 1)).toThrow(/expected newUnits > 20/);
    model.dispose();
  });

  it('addLayer (last or in the middle) keeps outputs and the order of a fresh build', () => {
    const model = createModel(tinyConfig(), schemas);
    const before = synth(model);
    const last = model.addLayer('user');
    expect(last).toMatchObject({ kind: 'add_layer', layer: 'hidden/2', units: 10, position: 2 });
    expect(maxAbsDiff(before, synth(model))).toBeLessThan(1e-5);
    const middle = model.addLayer('user', { after: 0 });
    expect(middle).toMatchObject({ layer: 'hidden/1', units: 12 });
    expect(maxAbsDiff(before, synth(model))).toBeLessThan(1e-5);
    expect(model.getConfig().companion.sizes.user?.hiddenSizes).toEqual([12, 12, 10, 10]);
    const fresh = createModel(model.getConfig(), schemas);
    expect(model.params.names()).toEqual(fresh.params.names());
    expect(model.trainableVariables().map((v) => v.shape)).toEqual(fresh.trainableVariables().map((v) => v.shape));
    expect(() => model.addLayer('user', { after: 9 })).toThrow(/expected "after" in \[0, 3\]/);
    fresh.dispose();
    model.dispose();
  });

  it('prune removes units whose incoming + outgoing weights are zero and keeps outputs', () => {
    const model = createModel(tinyConfig(), schemas);
    zeroUnits(model, 'user/companion/hidden/0/kernel', 1, [1, 4]);
    zeroUnits(model, 'user/companion/hidden/1/kernel', 0, [1, 4]);
    zeroUnits(model, 'user/companion/hidden/1/kernel', 1, [3]);
    zeroUnits(model, 'user/companion/out/kernel', 0, [3]);
    // Only the outgoing weights of unit 6 are zero: not removed by the default criterion.
    zeroUnits(model, 'user/companion/hidden/1/kernel', 0, [6]);
    const before = synth(model);
    const change = model.prune('user', 1e-6);
    if (change.kind !== 'prune') throw new Error(`unexpected change ${change.kind}`);
    expect(change.criterion).toBe('sum');
    expect(change.layers).toEqual([
      { layer: 'hidden/0', from: 12, to: 10, removedUnits: [1, 4] },
      { layer: 'hidden/1', from: 10, to: 9, removedUnits: [3] },
    ]);
    expect(change.functionPreserving).toBe(true);
    expect(change.parametersAfter).toBeLessThan(change.parametersBefore);
    expect(maxAbsDiff(before, synth(model))).toBeLessThan(1e-5);
    expect(model.getConfig().companion.sizes.user?.hiddenSizes).toEqual([10, 9]);
    const again = model.prune('user', 1e-6);
    expect(again.kind === 'prune' && again.layers.every((l) => l.removedUnits.length === 0)).toBe(true);
    model.dispose();
  });

  it("prune with criterion 'either' also removes constant and unused units, folding constants into the next bias", () => {
    const model = createModel(tinyConfig(), schemas);
    // Unit 2 of hidden/0: no incoming weights, bias 1 -> outputs the constant 1.
    zeroUnits(model, 'user/companion/hidden/0/kernel', 1, [2]);
    const bias = model.params.get('user/companion/hidden/0/bias');
    const raised = tf.tidy(() => tf.add(bias, tf.reshape(tf.oneHot(tf.tensor1d([2], 'int32'), 12), [12])));
    bias.assign(raised);
    raised.dispose();
    // Unit 5 of hidden/1: no outgoing weights.
    zeroUnits(model, 'user/companion/out/kernel', 0, [5]);
    const before = synth(model);
    const change = model.prune('user', 1e-6, { criterion: 'either' });
    if (change.kind !== 'prune') throw new Error(`unexpected change ${change.kind}`);
    expect(change.layers.map((l) => l.removedUnits)).toEqual([[2], [5]]);
    expect(change.functionPreserving).toBe(true);
    expect(maxAbsDiff(before, synth(model))).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('transformer companion dynamic size', () => {
  it('widens and prunes feed-forward layers preserving outputs; addLayer is refused', () => {
    const model = createModel(tinyConfig({ companion: { architecture: 'transformer' } }), schemas);
    const before = synth(model);
    expect(model.companion('user').hiddenLayers()).toEqual([{ name: 'layer/0/ffn', units: 12 }, { name: 'layer/1/ffn', units: 12 }]);
    model.widen('user', 'layer/1/ffn', 19, 3);
    expect(maxAbsDiff(before, synth(model))).toBeLessThan(1e-5);
    zeroUnits(model, 'user/companion/layer/0/ffn/out/kernel', 0, [0, 5]);
    const pruneBefore = synth(model);
    const change = model.prune('user', 0, { criterion: 'either' });
    expect(change.kind === 'prune' && change.layers[0]).toMatchObject({ from: 12, to: 10, removedUnits: [0, 5] });
    expect(maxAbsDiff(pruneBefore, synth(model))).toBeLessThan(1e-5);
    expect(model.getConfig().companion.sizes.user?.ffWidths).toEqual([10, 19]);
    expect(() => model.addLayer('user')).toThrow(/MLP companion only/);
    model.dispose();
  });
});
