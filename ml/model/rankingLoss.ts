/**
 * Ranking losses over groups of examples of one user: each group is `groupSize` consecutive
 * rows, the positive first, then its sampled negatives (ExampleSet.groupSize). A ranking
 * protocol scores a user's candidates against each other, which a pointwise log loss never asks
 * for: it may spend capacity on calibrating the user's overall propensity, which does not change
 * any ranking. These losses only see score differences within a group.
 *
 * - `bpr` (Bayesian personalized ranking): mean over the group's (positive, negative) pairs of
 *   softplus(s_neg - s_pos) = -log sigmoid(s_pos - s_neg).
 * - `softmax` (sampled softmax): the cross-entropy of the positive among its group,
 *   logsumexp(s_group) - s_pos, averaged over groups.
 *
 * Written from ops with gradients on every backend (slice, not stridedSlice). Not tidied: call
 * inside the caller's tf.tidy / optimizer scope.
 */
import * as tf from '@tensorflow/tfjs';

export const RANKING_LOSSES = ['none', 'bpr', 'softmax'] as const;
export type RankingLossKind = (typeof RANKING_LOSSES)[number];

/** [B] scores -> [B / groupSize, groupSize]; throws unless B is a whole number of groups. */
function grouped(scores: tf.Tensor1D, groupSize: number): tf.Tensor2D {
  if (!(Number.isInteger(groupSize) && groupSize >= 2)) throw new RangeError(`a ranking loss needs groups of at least 2 rows (a positive and a negative), got groupSize ${groupSize}`);
  const size = scores.shape[0];
  if (size % groupSize !== 0) throw new RangeError(`a ranking loss needs whole groups: ${size} rows is not a multiple of groupSize ${groupSize}`);
  return tf.reshape(scores, [size / groupSize, groupSize]);
}

/** softplus(x) = log(1 + e^x), stable for large |x|. */
function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/** Mean of softplus(s_neg - s_pos) over every (positive, negative) pair of every group. */
export function bprLoss(scores: tf.Tensor1D, groupSize: number): tf.Scalar {
  const groups = grouped(scores, groupSize);
  const rows = groups.shape[0];
  const positive = tf.slice(groups, [0, 0], [rows, 1]);
  const negatives = tf.slice(groups, [0, 1], [rows, groupSize - 1]);
  return tf.mean(softplus(tf.sub(negatives, positive)));
}

/** Mean over groups of logsumexp(group) - s_pos (the positive's softmax cross-entropy). */
export function sampledSoftmaxLoss(scores: tf.Tensor1D, groupSize: number): tf.Scalar {
  const groups = grouped(scores, groupSize);
  const rows = groups.shape[0];
  const positive = tf.reshape(tf.slice(groups, [0, 0], [rows, 1]), [rows]);
  // Shift by the row maximum so exp cannot overflow; the shift cancels in the value and gradient.
  const shift = tf.max(groups, 1, true);
  const logSumExp = tf.add(tf.reshape(shift, [rows]), tf.log(tf.sum(tf.exp(tf.sub(groups, shift)), 1)));
  return tf.mean(tf.sub(logSumExp, positive));
}

/** The ranking loss of `kind` (`none`: a constant 0 without gradient). */
export function rankingLoss(kind: RankingLossKind, scores: tf.Tensor1D, groupSize: number | undefined): tf.Scalar {
  if (kind === 'none') return tf.scalar(0);
  if (groupSize === undefined) {
    throw new RangeError(`ranking loss "${kind}" needs batches of grouped examples (a positive then its sampled negatives: ExampleSet.groupSize)`);
  }
  return kind === 'bpr' ? bprLoss(scores, groupSize) : sampledSoftmaxLoss(scores, groupSize);
}

/** How a training run weighs a ranking loss against the pointwise task loss. */
export interface RankingObjective {
  readonly loss: RankingLossKind;
  /** Weight of the ranking loss on the primary network's output. */
  readonly weight: number;
  /** Weight of the pointwise task loss beside it (0: rank only; scores are then uncalibrated). */
  readonly pointwiseWeight: number;
}

export const POINTWISE_OBJECTIVE: RankingObjective = { loss: 'none', weight: 0, pointwiseWeight: 1 };
