/**
 * The combination module: merges the original and synthetic feature groups of a batch into the
 * combined feature vector z, and reports per-example group weights [B, G] that sum to 1 (the
 * "why" of a prediction). Three implementations, picked by `createCombiner`:
 * - weighted_sum: both sides projected to one width, mixed by learned per-dimension weights;
 * - concat: concatenation with learned per-feature sigmoid gates;
 * - attention: softmax feature-selection attention over the groups.
 * For weighted_sum and concat the weights are each group's share of the L1 mass it puts into z
 * (an attribution); for attention they are the model's own softmax weights.
 */
import type * as tf from '@tensorflow/tfjs';
import type { CombineMode } from '../ModelConfig.ts';
import type { ForwardOptions } from '../ops.ts';
import type { FeatureGroup, GroupSpec } from './FeatureGroup.ts';

export interface CombineResult {
  /** [B, outputDim] combined feature vector. */
  readonly z: tf.Tensor2D;
  /** [B, G] per-example group weights, each row sums to 1. */
  readonly weights: tf.Tensor2D;
  /** Group names, in the column order of `weights`. */
  readonly names: readonly string[];
}

export interface Combiner {
  readonly mode: CombineMode;
  readonly groups: readonly GroupSpec[];
  readonly outputDim: number;
  /** Not tidied: call inside tf.tidy. */
  apply(groups: readonly FeatureGroup[], options: ForwardOptions): CombineResult;
}
