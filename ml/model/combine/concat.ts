/**
 * concat: z = concat_g(sigmoid(gate_g) * x_g), one learned gate per feature (0.5 at
 * initialization), so the primary network sees every feature and training can close gates.
 */
import * as tf from '@tensorflow/tfjs';
import { zeros } from '../initializers.ts';
import type { ForwardOptions } from '../ops.ts';
import type { ParamScope } from '../Params.ts';
import type { CombineResult, Combiner } from './Combiner.ts';
import { checkGroups, type FeatureGroup, type GroupSpec } from './FeatureGroup.ts';
import { contributionShares } from './shares.ts';

export class ConcatCombiner implements Combiner {
  readonly mode = 'concat' as const;
  readonly groups: readonly GroupSpec[];
  readonly outputDim: number;
  readonly #scope: ParamScope;

  constructor(scope: ParamScope, groups: readonly GroupSpec[]) {
    this.#scope = scope;
    this.groups = groups;
    this.outputDim = groups.reduce((total, g) => total + g.dim, 0);
    for (const g of groups) scope.create(`gate/${g.name}`, [g.dim], zeros);
  }

  apply(groups: readonly FeatureGroup[], _options: ForwardOptions): CombineResult {
    checkGroups(this.groups, groups, 'concat combiner');
    const gated = groups.map((g) => tf.mul(g.value, tf.sigmoid(this.#scope.get(`gate/${g.name}`))));
    const z = gated.length === 1 ? gated[0]! : tf.concat(gated, 1);
    return { z: z as tf.Tensor2D, weights: contributionShares(gated), names: groups.map((g) => g.name) };
  }
}
