import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../ml/backend.ts';
import { glorotUniform, zeros } from '../../../../ml/model/initializers.ts';
import { Params } from '../../../../ml/model/Params.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('Params', () => {
  it('keeps creation order, insertion points, renames and replacements', () => {
    const params = new Params({ seed: 1 });
    const scope = params.scope('a');
    scope.create('x', [2, 3], glorotUniform);
    scope.create('z', [3], zeros);
    scope.create('y', [4], zeros, { after: 'x' });
    expect(params.names()).toEqual(['a/x', 'a/y', 'a/z']);
    const replaced = tf.tidy(() => tf.ones([5]));
    params.replace('a/y', replaced);
    replaced.dispose();
    expect(params.get('a/y').shape).toEqual([5]);
    expect(params.names()).toEqual(['a/x', 'a/y', 'a/z']);
    params.rename('a/z', 'a/w');
    expect(params.names()).toEqual(['a/x', 'a/y', 'a/w']);
    expect(params.variables().map((v) => v.shape)).toEqual([[2, 3], [5], [3]]);
    expect(params.countParameters()).toBe(14);
    expect(() => scope.create('x', [1], zeros)).toThrow(/already exists/);
    expect(() => params.get('nope')).toThrow(/unknown parameter "nope"/);
    params.dispose();
  });

  it('derives initial values from the model seed and the name, not the creation order', () => {
    const a = new Params({ seed: 3 });
    const b = new Params({ seed: 3 });
    const c = new Params({ seed: 4 });
    a.create('k1', [3, 3], glorotUniform);
    a.create('k2', [3, 3], glorotUniform);
    b.create('k2', [3, 3], glorotUniform);
    b.create('k1', [3, 3], glorotUniform);
    c.create('k1', [3, 3], glorotUniform);
    expect(Array.from(a.get('k1').dataSync())).toEqual(Array.from(b.get('k1').dataSync()));
    expect(Array.from(a.get('k1').dataSync())).not.toEqual(Array.from(a.get('k2').dataSync()));
    expect(Array.from(a.get('k1').dataSync())).not.toEqual(Array.from(c.get('k1').dataSync()));
    a.dispose();
    b.dispose();
    c.dispose();
  });

  it('two registries may use the same names, and dispose frees every tensor', () => {
    const start = tf.memory().numTensors;
    const a = new Params({ seed: 1 });
    const b = new Params({ seed: 1 });
    a.create('same', [2], zeros);
    b.create('same', [2], zeros);
    const value = tf.ones([3]);
    a.replace('same', value);
    value.dispose();
    a.remove('same');
    expect(a.names()).toEqual([]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('uses initial values when given, checking shapes', () => {
    const value = tf.tensor1d([1, 2, 3]);
    const params = new Params({ seed: 1, initialValues: new Map([['w', value]]) });
    params.create('w', [3], zeros);
    expect(Array.from(params.get('w').dataSync())).toEqual([1, 2, 3]);
    expect(() => params.create('w2', [3], zeros)).not.toThrow();
    const wrong = new Params({ seed: 1, initialValues: new Map([['w', value]]) });
    expect(() => wrong.create('w', [4], zeros)).toThrow(/expected shape \[4\], saved value has \[3\]/);
    value.dispose();
    params.dispose();
    wrong.dispose();
  });
});
