/**
 * weighted_sum: each group is projected to `width`; the original groups' projections sum to o,
 * the synthetic ones' to s, and z = a * o + (1 - a) * s with learned per-dimension weights
 * a = sigmoid(mix) (0.5 at initialization).
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform, zeros } from '../initializers.ts';
import { dense, type ForwardOptions } from '../ops.ts';
import type { ParamScope } from '../Params.ts';
import type { CombineResult, Combiner } from './Combiner.ts';
import { checkGroups, type FeatureGroup, type GroupSpec } from './FeatureGroup.ts';
import { contributionShares } from './shares.ts';

export class WeightedSumCombiner implements Combiner {
  readonly mode = 'weighted_sum' as const;
  readonly groups: readonly GroupSpec[];
  readonly outputDim: number;
  readonly #scope: ParamScope;

  constructor(scope: ParamScope, groups: readonly GroupSpec[], width: number) {
    this.#scope = scope;
    this.groups = groups;
    this.outputDim = width;
    for (const g of groups) scope.create(`group/${g.name}/kernel`, [g.dim, width], glorotUniform);
    scope.create('original/bias', [width], zeros);
    scope.create('synthetic/bias', [width], zeros);
    scope.create('mix', [width], zeros);
  }

  apply(groups: readonly FeatureGroup[], _options: ForwardOptions): CombineResult {
    checkGroups(this.groups, groups, 'weighted_sum combiner');
    const s = this.#scope;
    const a = tf.sigmoid(s.get('mix'));
    const sideWeight = { original: a, synthetic: tf.sub(1, a) };
    const contributions = groups.map((g) => tf.mul(dense(g.value, s.get(`group/${g.name}/kernel`)), sideWeight[g.kind]));
    let z: tf.Tensor = tf.add(tf.mul(s.get('original/bias'), sideWeight.original), tf.mul(s.get('synthetic/bias'), sideWeight.synthetic));
    for (const c of contributions) z = tf.add(z, c);
    return { z: z as tf.Tensor2D, weights: contributionShares(contributions), names: groups.map((g) => g.name) };
  }
}
