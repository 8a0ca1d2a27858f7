/**
 * Seeded dropout masks generated in plain JavaScript: each value is 0 (dropped, probability
 * `rate`) or 1 / (1 - rate) (kept, rescaled so the expected value is unchanged).
 *
 * Why not tf.dropout: it draws tf.randomUniform (seedrandom's alea, one JS call per value)
 * and then runs floor, add and div over the whole tensor. In the transformer companion's
 * training step that was ~30% of the forward pass (8 masks of 262k values per step). One
 * inlined mulberry32 loop writing the final multipliers is ~3x faster than the draws alone,
 * and the mask costs one Multiply instead of four kernels.
 */
import * as tf from '@tensorflow/tfjs';

/** [shape] float32 multipliers (0 or 1/(1 - rate)) from a 32-bit seed; rate in [0, 1). */
export function dropoutMask(shape: readonly number[], rate: number, seed: number): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(fillDropoutMask(new Float32Array(size), rate, seed), [...shape], 'float32');
}

/**
 * Fills `out` with dropout multipliers from a mulberry32 stream (see seeds.ts `makeRandom`).
 * Each 32-bit draw decides two values, one per 16-bit half: the draws were most of the mask's
 * cost, and a rate resolution of 2^-16 is far finer than any dropout rate needs.
 */
export function fillDropoutMask(out: Float32Array, rate: number, seed: number): Float32Array {
  const keepValue = 1 / (1 - rate);
  // A value is dropped when its uniform 16-bit draw is below rate * 2^16.
  const threshold = Math.round(rate * 65536);
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i += 2) {
    state = (state + 0x6d2b79f5) >>> 0;
    const draw = mulberry32Output(state);
    out[i] = (draw & 0xffff) < threshold ? 0 : keepValue;
    if (i + 1 < out.length) out[i + 1] = draw >>> 16 < threshold ? 0 : keepValue;
  }
  return out;
}

/** mulberry32's output mix of a state: a uniform unsigned 32-bit integer. */
function mulberry32Output(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A seed for an unseeded forward pass (dropout still needs one). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
