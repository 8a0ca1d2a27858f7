import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import type { EntityInputs } from '../../../../ml/data/batch.ts';
import type { Companion } from '../../../../ml/model/companion/Companion.ts';
import { createCompanion } from '../../../../ml/model/companion/createCompanion.ts';
import { parseModelConfig } from '../../../../ml/model/ModelConfig.ts';
import { Params } from '../../../../ml/model/Params.ts';
import { disposeEntityTensors, toEntityTensors } from '../../../../ml/model/tensors.ts';
import { maxAbsDiff, randomEntityInputs, tinyConfig, userSchema } from './fixtures.ts';

const registries: Params[] = [];

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => registries.forEach((p) => p.dispose()));

function build(architecture: 'mlp' | 'transformer', pooling: 'cls' | 'mean' = 'cls'): Companion {
  const config = parseModelConfig(tinyConfig({ companion: { architecture, transformer: { heads: 2, width: 8, ffWidth: 12, pooling } } }));
  const params = new Params({ seed: 11 });
  registries.push(params);
  return createCompanion(config, userSchema, 'user', params.scope('user/companion'));
}

function run(companion: Companion, inputs: EntityInputs): Float32Array {
  const tensors = toEntityTensors(inputs, companion.schema);
  const out = tf.tidy(() => companion.apply(tensors, { training: false }));
  disposeEntityTensors(tensors);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

const cases = [
  ['mlp', 'cls'],
  ['transformer', 'cls'],
  ['transformer', 'mean'],
] as const;

describe.each(cases)('%s companion (%s pooling)', (architecture, pooling) => {
  it('maps N entities to [N, synthDim]', () => {
    const companion = build(architecture, pooling);
    const tensors = toEntityTensors(randomEntityInputs(userSchema, 7, 1), userSchema);
    const out = tf.tidy(() => companion.apply(tensors, { training: true, seed: 3 }));
    expect(out.shape).toEqual([7, 6]);
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
    out.dispose();
    const empty = toEntityTensors(randomEntityInputs(userSchema, 0, 1), userSchema);
    const none = tf.tidy(() => companion.apply(empty, { training: false }));
    expect(none.shape).toEqual([0, 6]);
    tf.dispose(none);
    disposeEntityTensors(tensors);
    disposeEntityTensors(empty);
  });

  it('masks missing modalities and numeric values: their values change nothing', () => {
    const companion = build(architecture, pooling);
    const inputs = randomEntityInputs(userSchema, 9, 2, 0.5);
    const modality = inputs.modalities[0]!;
    expect(modality.present.includes(0)).toBe(true);
    expect(inputs.numericPresent.includes(0)).toBe(true);
    const changed: EntityInputs = {
      ...inputs,
      numeric: inputs.numeric.map((v, i) => (inputs.numericPresent[i] ? v : i % 2 ? Number.NaN : 1000 + i)),
      modalities: [
        {
          present: modality.present,
          values: modality.values.map((v, i) => (modality.present[Math.floor(i / 6)] ? v : i % 2 ? Number.NaN : -50)),
        },
      ],
    };
    const a = run(companion, inputs);
    const b = run(companion, changed);
    expect(Array.from(b).every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(a, b)).toBe(0);
    // ...while a present modality does matter.
    const present: EntityInputs = { ...inputs, modalities: [{ present: modality.present.map(() => 1), values: modality.values }] };
    expect(maxAbsDiff(a, run(companion, present))).toBeGreaterThan(1e-4);
  });

  it('ignores padding: the embedding of id 0 never reaches the output', () => {
    const companion = build(architecture, pooling);
    const inputs = randomEntityInputs(userSchema, 8, 3);
    // Only the first two token positions are ever used, so positions 2-3 are padding everywhere.
    const tokens = inputs.tokens.map((id, i) => (i % userSchema.maxTokens < 2 ? id : 0));
    const base = { ...inputs, tokens };
    const before = run(companion, base);
    const prefix = companion.prefix;
    const registry = registries[registries.length - 1]!;
    const scramble = (name: string, rows?: (r: number) => boolean): void => {
      const variable = registry.get(`${prefix}/${name}`);
      const noise = tf.tidy(() => {
        const r = tf.randomNormal(variable.shape, 0, 10, 'float32', 5);
        const keep = tf.tensor(
          Array.from({ length: variable.shape[0]! }, (_, i) => ((rows ?? ((k) => k === 0))(i) ? 1 : 0)),
          [variable.shape[0]!, 1],
        );
        return tf.add(variable, tf.mul(r, keep));
      });
      variable.assign(noise);
      noise.dispose();
    };
    scramble('tags/table');
    scramble('tokens/table');
    if (architecture === 'transformer') {
      scramble('tokens/position', (r) => r >= 2);
      // A categorical value of 0 (unknown) is a masked token in the transformer.
      scramble('cat/0/table');
    }
    expect(maxAbsDiff(before, run(companion, base))).toBe(0);
  });
});

it('an entity type without any non-event data still gets (constant) synthetic features', () => {
  const schema = { ...userSchema, categoricalVocabSizes: [], categoricalNames: [], numericNames: [], maxTags: 0, maxTokens: 0, modalities: [] };
  for (const architecture of ['mlp', 'transformer'] as const) {
    const config = parseModelConfig(tinyConfig({ companion: { architecture } }));
    const params = new Params({ seed: 1 });
    const companion = createCompanion(config, schema, 'item', params.scope('item/companion'));
    const tensors = toEntityTensors(randomEntityInputs(schema, 3, 1), schema);
    const out = tf.tidy(() => companion.apply(tensors, { training: false }));
    expect(out.shape).toEqual([3, 6]);
    out.dispose();
    disposeEntityTensors(tensors);
    params.dispose();
  }
});
