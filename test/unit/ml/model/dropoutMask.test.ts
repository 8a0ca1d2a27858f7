import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dropoutMask, fillDropoutMask } from '../../../../ml/model/dropoutMask.ts';
import { dropout } from '../../../../ml/model/ops.ts';

describe('dropoutMask', () => {
  it('drops about `rate` of the values and rescales the rest by 1 / (1 - rate)', () => {
    for (const rate of [0.1, 0.5, 0.9]) {
      const mask = fillDropoutMask(new Float32Array(100_000), rate, 7);
      const dropped = mask.filter((v) => v === 0).length / mask.length;
      expect(Math.abs(dropped - rate)).toBeLessThan(0.01);
      const kept = new Set(mask.filter((v) => v !== 0));
      expect([...kept]).toEqual([Math.fround(1 / (1 - rate))]);
      // The expected multiplier stays 1.
      expect(Math.abs(mask.reduce((s, v) => s + v, 0) / mask.length - 1)).toBeLessThan(0.03);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = fillDropoutMask(new Float32Array(1000), 0.3, 11);
    expect(fillDropoutMask(new Float32Array(1000), 0.3, 11)).toEqual(a);
    expect(fillDropoutMask(new Float32Array(1000), 0.3, 12)).not.toEqual(a);
  });

  it('keeps everything at rate 0 and rejects rates outside [0, 1)', () => {
    expect(fillDropoutMask(new Float32Array(50), 0, 3).every((v) => v === 1)).toBe(true);
    expect(() => dropoutMask([2], 1, 1)).toThrow(RangeError);
  });

  it('ops.dropout applies the same mask at the same site and seed, and is the identity outside training', () => {
    const x = tf.ones([64, 32]);
    const first = tf.tidy(() => dropout(x, 0.25, { training: true, seed: 5 }, 'site').arraySync());
    const second = tf.tidy(() => dropout(x, 0.25, { training: true, seed: 5 }, 'site').arraySync());
    const other = tf.tidy(() => dropout(x, 0.25, { training: true, seed: 5 }, 'other').arraySync());
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    expect(dropout(x, 0.25, { training: false }, 'site')).toBe(x);
    x.dispose();
  });
});
