/**
 * Small tensor helpers shared by the model's modules. Everything is built from ops that have
 * gradients on the cpu and wasm backends: plain 2-D matMul (rank-3 inputs are reshaped first,
 * no tf.fused), gather, slice, masks from inputs only.
 */
import * as tf from '@tensorflow/tfjs';
import { dropoutMask, randomSeed } from './dropoutMask.ts';
import { deriveSeed } from './seeds.ts';

/** Options of every forward pass. */
export interface ForwardOptions {
  /** Enables dropout (and original-feature dropout). */
  readonly training: boolean;
  /** Seeds dropout; each dropout site derives its own seed from it. Unseeded when absent. */
  readonly seed?: number;
}

/** x @ kernel (+ bias) for x of any rank >= 2, through one 2-D matMul. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.rank - 1]!;
  const outDim = kernel.shape[1]!;
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [rows, inDim]) as tf.Tensor2D;
  let y: tf.Tensor = tf.matMul(flat, kernel as tf.Tensor2D);
  if (bias !== undefined) y = tf.add(y, bias);
  return x.rank === 2 ? y : tf.reshape(y, [...lead, outDim]);
}

/** Dropout when training with rate > 0; identity otherwise (x times `dropoutMultiplier`). */
export function dropout(x: tf.Tensor, rate: number, options: ForwardOptions, site: string): tf.Tensor {
  const multiplier = dropoutMultiplier(x.shape, rate, options, site);
  return multiplier === undefined ? x : tf.mul(x, multiplier);
}

/**
 * The dropout multipliers at `site` (0 or 1/(1 − rate), see dropoutMask.ts), seeded from the
 * forward pass's seed and the site's name; also for ops that apply dropout inside a fused kernel
 * (ml/nn/attention.ts). Undefined when dropout is off (not training, or rate 0).
 */
export function dropoutMultiplier(shape: number[], rate: number, options: ForwardOptions, site: string): tf.Tensor | undefined {
  if (!options.training || rate <= 0) return undefined;
  return dropoutMask(shape, rate, deriveSeed(options.seed ?? randomSeed(), site));
}

/** Column `index` of a [N, K] tensor, as [N]. */
export function column(x: tf.Tensor2D, index: number): tf.Tensor1D {
  const n = x.shape[0];
  return tf.reshape(tf.slice(x, [0, index], [n, 1]), [n]);
}

/** Embedding lookup of [N, L] int ids into [V, E] -> [N, L, E]. */
export function embedSequence(table: tf.Tensor, ids: tf.Tensor2D): tf.Tensor3D {
  const [n, length] = ids.shape;
  const flat = tf.reshape(ids, [n * length]);
  return tf.reshape(tf.gather(table, flat), [n, length, table.shape[1]!]);
}

/** 1 where an id is not padding (0), as float32 [N, L]. */
export function nonPaddingMask(ids: tf.Tensor2D): tf.Tensor2D {
  return tf.cast(tf.notEqual(ids, 0), 'float32');
}

/**
 * Mean of [N, L, E] over the positions where mask [N, L] is 1: [N, E], and presence [N, 1]
 * (1 when at least one position counted; all-padding rows give exact zeros, never NaN).
 */
export function maskedMean(values: tf.Tensor3D, mask: tf.Tensor2D): { mean: tf.Tensor2D; present: tf.Tensor2D } {
  const weighted = tf.mul(values, tf.expandDims(mask, 2));
  const sum = tf.sum(weighted, 1) as tf.Tensor2D;
  const count = tf.sum(mask, 1, true) as tf.Tensor2D;
  const mean = tf.div(sum, tf.maximum(count, 1)) as tf.Tensor2D;
  const present = tf.cast(tf.greater(count, 0), 'float32') as tf.Tensor2D;
  return { mean, present };
}

/**
 * Values [N, D] where `present` ([N, 1] per row, or [N, D] per value) is 0 become exact zeros,
 * even NaN / Inf ones (multiplying by the mask would keep NaN).
 */
export function maskRows(values: tf.Tensor2D, present: tf.Tensor2D): tf.Tensor2D {
  const keep = tf.broadcastTo(tf.greater(present, 0), values.shape);
  return tf.where(keep, values, tf.zerosLike(values));
}
