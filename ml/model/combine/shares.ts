import * as tf from '@tensorflow/tfjs';

/**
 * Each group's share of the total L1 mass of its contributions ([B, dim_g] each): [B, G], rows
 * summing to 1 (uniform when everything is zero).
 */
export function contributionShares(contributions: readonly tf.Tensor[]): tf.Tensor2D {
  const eps = 1e-12;
  const mass = tf.add(tf.stack(contributions.map((c) => tf.sum(tf.abs(c), 1)), 1), eps);
  return tf.div(mass, tf.sum(mass, 1, true)) as tf.Tensor2D;
}
