import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { createCombiner } from '../../../../ml/model/combine/createCombiner.ts';
import type { FeatureGroup, GroupSpec } from '../../../../ml/model/combine/FeatureGroup.ts';
import { parseModelConfig } from '../../../../ml/model/ModelConfig.ts';
import { Params } from '../../../../ml/model/Params.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const specs: GroupSpec[] = [
  { name: 'user_id', kind: 'original', dim: 4 },
  { name: 'item_id', kind: 'original', dim: 4 },
  { name: 'aggregates', kind: 'original', dim: 3 },
  { name: 'user_synth', kind: 'synthetic', dim: 5 },
  { name: 'item_synth', kind: 'synthetic', dim: 5 },
  { name: 'user_x_item', kind: 'synthetic', dim: 6 },
];

const cases = [
  ['weighted_sum', 'sum', 6],
  ['concat', 'sum', 27],
  ['attention', 'sum', 6],
  ['attention', 'concat', 36],
] as const;

describe.each(cases)('%s combiner (attention output %s)', (mode, output, width) => {
  it(`gives z [B, ${width}] and group weights [B, G] that sum to 1 per example`, () => {
    const config = parseModelConfig({ combine: { mode, width: 6, attention: { scorerHidden: 5, output } } });
    const params = new Params({ seed: 2 });
    const combiner = createCombiner(config, specs, params.scope('combine'));
    expect(combiner.outputDim).toBe(width);
    const b = 7;
    let names: readonly string[] = [];
    const result = tf.tidy(() => {
      const groups: FeatureGroup[] = specs.map((s, i) => ({ ...s, value: tf.randomNormal([b, s.dim], 0, 1, 'float32', i) as tf.Tensor2D }));
      const r = combiner.apply(groups, { training: true, seed: 1 });
      names = r.names;
      return { z: r.z, weights: r.weights, sums: tf.sum(r.weights, 1) };
    });
    expect(result.z.shape).toEqual([b, width]);
    expect(result.weights.shape).toEqual([b, specs.length]);
    expect(names).toEqual(specs.map((s) => s.name));
    for (const sum of result.sums.dataSync()) expect(sum).toBeCloseTo(1, 5);
    expect(Array.from(result.weights.dataSync()).every((w) => w >= 0 && w <= 1)).toBe(true);
    // Per-example weights differ between examples (they are conditioned on the example).
    const w = result.weights.arraySync() as number[][];
    expect(Math.abs(w[0]![0]! - w[1]![0]!)).toBeGreaterThan(1e-6);
    tf.dispose([result.z, result.weights, result.sums]);
    // The weights get gradients (attention learns them; gates / mix learn too).
    const grads = tf.tidy(() => {
      const groups: FeatureGroup[] = specs.map((s, i) => ({ ...s, value: tf.randomNormal([b, s.dim], 0, 1, 'float32', i) as tf.Tensor2D }));
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(combiner.apply(groups, { training: true }).z)), params.variables());
      return Object.values(grads).map((g) => tf.sum(tf.abs(g)));
    });
    expect(grads.map((g) => g.dataSync()[0]!).every((g) => g > 0)).toBe(true);
    tf.dispose(grads);
    expect(() => combiner.apply([], { training: false })).toThrow(/expected feature groups user_id\[4\]/);
    params.dispose();
  });
});

it('the factory rejects an unknown mode and duplicate groups', () => {
  const config = parseModelConfig({});
  const params = new Params({ seed: 1 });
  expect(() => createCombiner({ ...config, combine: { ...config.combine, mode: 'max' as 'concat' } }, specs, params.scope('c'))).toThrow(
    /combine\.mode: expected one of "weighted_sum"\|"concat"\|"attention", got "max"/,
  );
  expect(() => createCombiner(config, [specs[0]!, specs[0]!], params.scope('d'))).toThrow(/duplicate feature group names/);
  params.dispose();
});
