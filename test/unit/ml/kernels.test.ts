/**
 * The custom kernels of ml/kernels against the stock cpu backend: forward values, gradients
 * (tf.grads), edge cases, and a leak test of a small training loop.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../ml/backend.ts';
import { installUnsortedSegmentSum, uninstallUnsortedSegmentSum } from '../../../ml/kernels/unsortedSegmentSum.ts';
import { expectClose, expectSameOnCpuAndWasm, onBackend, randomTensor } from './crossBackend.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('UnsortedSegmentSum', () => {
  const cases = [
    { name: 'ids out of order and repeated', xShape: [6, 3], ids: [3, 0, 3, 1, 0, 3], idsShape: [6], numSegments: 4 },
    { name: 'empty segments, numSegments > max id + 1', xShape: [5, 2], ids: [4, 1, 1, 4, 0], idsShape: [5], numSegments: 9 },
    { name: 'ids out of range are dropped', xShape: [4, 3], ids: [0, 7, -1, 2], idsShape: [4], numSegments: 3 },
    { name: '2-D ids over a 3-D x', xShape: [2, 3, 4], ids: [1, 0, 2, 2, 0, 1], idsShape: [2, 3], numSegments: 3 },
    { name: '1-D x', xShape: [5], ids: [0, 0, 1, 2, 2], idsShape: [5], numSegments: 3 },
  ];

  for (const c of cases) {
    it(`matches stock cpu on wasm and patched cpu: ${c.name}`, async () => {
      // tfjs types segment ids as 1-D, but TensorFlow's op (and our kernel) take any prefix shape of x.
      const ids = () => tf.tensor<tf.Rank>(c.ids, c.idsShape, 'int32') as tf.Tensor1D;
      const compute = () => tf.unsortedSegmentSum(randomTensor(c.xShape, 1), ids(), c.numSegments);
      // Stock cpu fails on multi-dimensional ids (its broadcast is wrong): give it the flat form.
      const flatShape = [c.ids.length, ...c.xShape.slice(c.idsShape.length)];
      const flat = () => tf.unsortedSegmentSum(tf.reshape(randomTensor(c.xShape, 1), flatShape), tf.tensor1d(c.ids, 'int32'), c.numSegments);
      const stock = await onBackend('cpu', flat);
      installUnsortedSegmentSum('cpu');
      const patchedCpu = await onBackend('cpu', compute);
      uninstallUnsortedSegmentSum('cpu');
      const wasm = await onBackend('wasm', compute);
      expectClose(patchedCpu, stock, 0, 'cpu');
      expectClose(wasm, stock, 1e-6, 'wasm');
    });
  }

  it('has a gradient on wasm equal to cpu', async () => {
    const ids = [2, 0, 2, 1];
    await expectSameOnCpuAndWasm(() => {
      const weights = randomTensor([5, 3], 2);
      const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), 5), weights));
      return tf.grads(f)([randomTensor([4, 3], 1)]);
    });
  });

  it('is much faster than the stock cpu kernel for a large vocabulary', async () => {
    const vocab = 600;
    const time = async (): Promise<number> => {
      const start = performance.now();
      await onBackend('cpu', () => tf.unsortedSegmentSum(randomTensor([256, 16], 1), tf.range(0, 256, 1, 'int32'), vocab));
      return performance.now() - start;
    };
    const stockMs = await time();
    installUnsortedSegmentSum('cpu');
    const patchedMs = await time();
    uninstallUnsortedSegmentSum('cpu');
    expect(patchedMs * 5).toBeLessThan(stockMs);
  });
});

describe('gather gradient on wasm', () => {
  it('works along axis 0 (embedding lookup) and equals cpu', async () => {
    await expectSameOnCpuAndWasm(() => {
      const ids = tf.tensor1d([3, 1, 3, 9, 0, 3], 'int32');
      const weights = randomTensor([6, 4], 2);
      const f = (table: tf.Tensor) => tf.sum(tf.mul(tf.gather(table, ids), weights));
      return tf.grads(f)([randomTensor([10, 4], 1)]);
    });
  });

  it('works along axis 1 with 2-D indices and equals cpu', async () => {
    await expectSameOnCpuAndWasm(() => {
      const ids = tf.tensor2d([[6, 0], [6, 2]], [2, 2], 'int32');
      const weights = randomTensor([3, 2, 2, 2], 2);
      const f = (params: tf.Tensor) => tf.sum(tf.mul(tf.gather(params, ids, 1), weights));
      return tf.grads(f)([randomTensor([3, 7, 2], 1)]);
    });
  });
});

/** The stored shape of an operand [...outer, rows, cols], transposed or not. */
function operandShape(outer: number[], rows: number, cols: number, transposed: boolean): number[] {
  return [...outer, ...(transposed ? [cols, rows] : [rows, cols])];
}

const BOOLS = [false, true];

describe('BatchMatMul on wasm', () => {
  const cases = [
    { name: '2-D, B packed', outerA: [], outerB: [], m: 50, k: 40, n: 9 },
    { name: '2-D, A packed (computed transposed)', outerA: [], outerB: [], m: 8, k: 256, n: 128 },
    { name: '1xK row', outerA: [], outerB: [], m: 1, k: 50, n: 9 },
    { name: 'single output column', outerA: [], outerB: [], m: 7, k: 50, n: 1 },
    { name: 'A batched, B broadcast', outerA: [3], outerB: [], m: 5, k: 40, n: 6 },
    { name: 'A broadcast, B batched', outerA: [], outerB: [3], m: 5, k: 40, n: 6 },
    { name: 'both batched, tiny items (stock loop)', outerA: [4], outerB: [4], m: 8, k: 8, n: 8 },
    { name: 'both batched, large items (XNNPACK per item)', outerA: [2], outerB: [2], m: 30, k: 40, n: 25 },
    { name: 'rank-4 batch', outerA: [2, 3], outerB: [2, 3], m: 24, k: 30, n: 20 },
    { name: 'rank-4 batch, B broadcast over one axis', outerA: [2, 3], outerB: [1, 3], m: 6, k: 7, n: 5 },
  ];
  for (const c of cases) {
    it(`matches cpu for all transposes: ${c.name}`, async () => {
      for (const tA of BOOLS) {
        for (const tB of BOOLS) {
          await expectSameOnCpuAndWasm(() => tf.matMul(
            randomTensor(operandShape(c.outerA, c.m, c.k, tA), 1),
            randomTensor(operandShape(c.outerB, c.k, c.n, tB), 2),
            tA, tB,
          ), 1e-5, `tA=${tA} tB=${tB}`);
        }
      }
    });
  }

  it('broadcasts batch dims against each other ([2,1]·[1,3]), where stock kernels drop half the output', async () => {
    for (const [m, k, n] of [[4, 5, 6], [24, 30, 36]] as const) {
      const a = () => randomTensor([2, 1, m, k], 1);
      const b = () => randomTensor([1, 3, k, n], 2);
      const expected = await onBackend('cpu', () => tf.matMul(tf.tile(a(), [1, 3, 1, 1]), tf.tile(b(), [2, 1, 1, 1])));
      const actual = await onBackend('wasm', () => tf.matMul(a(), b()));
      expectClose(actual, expected, 1e-5, `${m}x${k}x${n}`);
    }
  });

  it('has gradients equal to cpu for transposed and batched forms', async () => {
    for (const [outerA, outerB] of [[[], []], [[3], [3]], [[2], [2]]] as const) {
      for (const tA of BOOLS) {
        for (const tB of BOOLS) {
          const [m, k, n] = outerA.length > 0 && outerA[0] === 2 ? [24, 30, 20] : [6, 60, 5];
          await expectSameOnCpuAndWasm(() => {
            const weights = randomTensor([...outerA, m, n], 3);
            const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, tA, tB), weights));
            return tf.grads(f)([randomTensor(operandShape([...outerA], m, k, tA), 1), randomTensor(operandShape([...outerB], k, n, tB), 2)]);
          }, 1e-5, `outer=${outerA} tA=${tA} tB=${tB}`);
        }
      }
    }
  });

  it('has a gradient for a broadcast batch ([B,T,D]·[D,E]) equal to the 2-D form', async () => {
    for (const tB of BOOLS) {
      const x = () => randomTensor([3, 5, 8], 1);
      const w = () => randomTensor(tB ? [4, 8] : [8, 4], 2);
      const weights = () => randomTensor([3, 5, 4], 3);
      const viaBroadcast = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, false, tB), weights()));
      const via2d = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.reshape(tf.matMul(tf.reshape(a, [15, 8]), b, false, tB), [3, 5, 4]), weights()));
      const expected = await onBackend('cpu', () => tf.grads(via2d)([x(), w()]));
      expectClose(await onBackend('cpu', () => tf.grads(viaBroadcast)([x(), w()])), expected, 1e-5, 'cpu');
      expectClose(await onBackend('wasm', () => tf.grads(viaBroadcast)([x(), w()])), expected, 1e-5, 'wasm');
    }
  });

  it('has a gradient when A is broadcast against a batched B', async () => {
    await expectSameOnCpuAndWasm(() => {
      const weights = randomTensor([3, 5, 4], 3);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), weights));
      return tf.grads(f)([randomTensor([5, 8], 1), randomTensor([3, 8, 4], 2)]);
    });
  });
});

describe('an attention block', () => {
  it('has the same gradients on wasm as on cpu (broadcast projections, batched heads)', async () => {
    const [batch, tokens, dim, heads] = [2, 5, 16, 2];
    const headDim = dim / heads;
    const splitHeads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, tokens, heads, headDim]), [0, 2, 1, 3]);
    const block = (x: tf.Tensor, wq: tf.Tensor, wk: tf.Tensor, wv: tf.Tensor, wo: tf.Tensor) => {
      const [q, k, v] = [wq, wk, wv].map((w) => splitHeads(tf.matMul(x, w)));
      const scores = tf.softmax(tf.div(tf.matMul(q!, k!, false, true), Math.sqrt(headDim)));
      const mixed = tf.reshape(tf.transpose(tf.matMul(scores, v!), [0, 2, 1, 3]), [batch, tokens, dim]);
      return tf.sum(tf.mul(tf.matMul(mixed, wo), randomTensor([batch, tokens, dim], 9)));
    };
    await expectSameOnCpuAndWasm(() => tf.grads(block)([
      randomTensor([batch, tokens, dim], 1),
      ...[2, 3, 4, 5].map((seed) => tf.mul(randomTensor([dim, dim], seed), 0.3)),
    ]), 1e-5);
  });
});

describe('_FusedMatMul on wasm', () => {
  // K = 60 > 48 crosses the stock kernel's block size, where its bias handling goes wrong.
  const [m, k, n] = [5, 60, 7];
  const batches = { none: [[], []], both: [[3], [3]], 'A only': [[3], []] } as const;

  it('matches cpu for transposeA x transposeB x batched x bias x relu/linear', async () => {
    for (const [batchName, [outerA, outerB]] of Object.entries(batches)) {
      for (const tA of BOOLS) {
        for (const tB of BOOLS) {
          for (const withBias of BOOLS) {
            for (const activation of ['linear', 'relu'] as const) {
              await expectSameOnCpuAndWasm(() => tf.fused.matMul({
                a: randomTensor(operandShape([...outerA], m, k, tA), 1),
                b: randomTensor(operandShape([...outerB], k, n, tB), 2),
                transposeA: tA,
                transposeB: tB,
                bias: withBias ? randomTensor([n], 3) : undefined,
                activation,
              }), 1e-5, `${batchName} tA=${tA} tB=${tB} bias=${withBias} ${activation}`);
            }
          }
        }
      }
    }
  });

  it('matches cpu for the other activations and a 2-D bias', async () => {
    const variants = [
      { activation: 'sigmoid' }, { activation: 'elu' }, { activation: 'relu6' },
      { activation: 'leakyrelu', leakyreluAlpha: 0.1 }, { activation: 'prelu', prelu: true }, { activation: 'linear', bias2d: true },
    ] as const;
    for (const v of variants) {
      await expectSameOnCpuAndWasm(() => tf.fused.matMul({
        a: randomTensor([m, k], 1),
        b: randomTensor([n, k], 2),
        transposeB: true,
        bias: randomTensor('bias2d' in v ? [m, n] : [n], 3),
        activation: v.activation,
        leakyreluAlpha: 'leakyreluAlpha' in v ? v.leakyreluAlpha : undefined,
        preluActivationWeights: 'prelu' in v ? randomTensor([n], 4) : undefined,
      }), 1e-5, v.activation);
    }
  });

  it('has gradients equal to cpu', async () => {
    for (const tB of BOOLS) {
      await expectSameOnCpuAndWasm(() => {
        const weights = randomTensor([m, n], 4);
        const f = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
          tf.sum(tf.mul(tf.fused.matMul({ a, b, bias, transposeB: tB, activation: 'relu' }), weights));
        return tf.grads(f)([randomTensor([m, k], 1), randomTensor(operandShape([], k, n, tB), 2), randomTensor([n], 3)]);
      }, 1e-5, `tB=${tB}`);
    }
  });
});

describe('Sum on wasm', () => {
  const cases = [
    { shape: [512, 7], axis: 0, keepDims: false },
    { shape: [1027, 12], axis: 0, keepDims: false },
    { shape: [3, 37, 5], axis: [0, 1], keepDims: false },
    { shape: [2, 3, 4], axis: [0, 1], keepDims: false },
    { shape: [2, 3, 4], axis: [1, 0], keepDims: true },
    { shape: [2, 3, 4], axis: -1, keepDims: false },
    { shape: [2, 3, 4], axis: 1, keepDims: true },
    { shape: [2, 3, 4], axis: null, keepDims: false },
  ];
  for (const c of cases) {
    it(`matches cpu: shape [${c.shape}] axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, async () => {
      await expectSameOnCpuAndWasm(() => tf.sum(randomTensor(c.shape, 1), c.axis ?? undefined, c.keepDims), 1e-6);
    });
  }
});

describe('Identity on wasm', () => {
  it('shares data: a clone keeps its values after the original is disposed', () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    expect(y.shape).toEqual([2, 2]);
    y.dispose();
  });
});

describe('a small custom training loop on wasm', () => {
  it('keeps tensor and backend memory counts flat over 50 steps', () => {
    const vars = {
      table: tf.variable(randomTensor([20, 8], 1), true, 'table'),
      w1: tf.variable(tf.mul(randomTensor([8, 16], 2), 0.3), true, 'w1'),
      b1: tf.variable(tf.zeros([16]), true, 'b1'),
      w2: tf.variable(tf.mul(randomTensor([16, 1], 3), 0.3), true, 'w2'),
    };
    const varList = Object.values(vars);
    const ids = tf.tensor1d([1, 5, 5, 19, 0, 7, 7, 7], 'int32');
    const labels = tf.tensor2d([1, 0, 0, 1, 0, 1, 1, 1], [8, 1]);
    const optimizer = tf.train.adam(0.01);
    const step = (): number => tf.tidy(() => {
      const loss = optimizer.minimize(() => {
        const h = tf.fused.matMul({ a: tf.gather(vars.table, ids), b: vars.w1, bias: vars.b1, activation: 'relu' });
        return tf.losses.sigmoidCrossEntropy(labels, tf.matMul(h, vars.w2)) as tf.Scalar;
      }, true, varList)!;
      return loss.dataSync()[0]!;
    });
    const backend = tf.backend();
    const firstLoss = step();
    step();
    const tensorsBefore = tf.memory().numTensors;
    const dataIdsBefore = backend.numDataIds();
    let lastLoss = firstLoss;
    for (let i = 0; i < 50; i++) lastLoss = step();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(dataIdsBefore);
    expect(lastLoss).toBeLessThan(firstLoss);
    tf.dispose([...varList, ids, labels]);
    optimizer.dispose();
  });
});
