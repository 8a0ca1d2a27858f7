/** Task losses and synthetic-feature regularizers, written from ops with gradients everywhere. */
import * as tf from '@tensorflow/tfjs';

/** Mean sigmoid cross-entropy on logits, numerically stable: max(x,0) - x*y + log(1 + e^-|x|). */
export function sigmoidCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

export function meanSquaredError(labels: tf.Tensor, predictions: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(predictions, labels));
}

/** mean |s| and mean s^2 over all given synthetic feature matrices (by element). */
export function synthMoments(synthetic: readonly tf.Tensor2D[]): { meanAbs: tf.Scalar; meanSquare: tf.Scalar } {
  const all = tf.concat(synthetic.map((s) => tf.reshape(s, [s.size])));
  if (all.size === 0) return { meanAbs: tf.scalar(0), meanSquare: tf.scalar(0) };
  return { meanAbs: tf.mean(tf.abs(all)), meanSquare: tf.mean(tf.square(all)) };
}
