/**
 * attention: feature-selection attention over the feature groups. Each group becomes a token
 * t_g = x_g W_g + b_g of width d; a scoring network conditioned on the example,
 *   score_g = q . tanh(t_g W_t + c W_c + b),  c = mean_g t_g,
 * gives per-example weights alpha = softmax(score) over groups (rows sum to 1), and
 *   z = sum_g alpha_g t_g              ('sum',    [B, d])
 *   z = concat_g (G alpha_g t_g)      ('concat', [B, G d]; uniform weights leave tokens unscaled).
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform, zeros } from '../initializers.ts';
import { dense, type ForwardOptions } from '../ops.ts';
import type { ParamScope } from '../Params.ts';
import type { CombineResult, Combiner } from './Combiner.ts';
import { checkGroups, type FeatureGroup, type GroupSpec } from './FeatureGroup.ts';

export interface AttentionCombinerOptions {
  readonly width: number;
  readonly scorerHidden: number;
  readonly output: 'sum' | 'concat';
}

export class AttentionCombiner implements Combiner {
  readonly mode = 'attention' as const;
  readonly groups: readonly GroupSpec[];
  readonly outputDim: number;
  readonly #scope: ParamScope;
  readonly #options: AttentionCombinerOptions;

  constructor(scope: ParamScope, groups: readonly GroupSpec[], options: AttentionCombinerOptions) {
    this.#scope = scope;
    this.groups = groups;
    this.#options = options;
    const { width: d, scorerHidden: h } = options;
    this.outputDim = options.output === 'sum' ? d : d * groups.length;
    for (const g of groups) {
      scope.create(`token/${g.name}/kernel`, [g.dim, d], glorotUniform);
      scope.create(`token/${g.name}/bias`, [d], zeros);
    }
    scope.create('score/token/kernel', [d, h], glorotUniform);
    scope.create('score/context/kernel', [d, h], glorotUniform);
    scope.create('score/bias', [h], zeros);
    scope.create('score/query', [h, 1], glorotUniform);
  }

  apply(groups: readonly FeatureGroup[], _options: ForwardOptions): CombineResult {
    checkGroups(this.groups, groups, 'attention combiner');
    const s = this.#scope;
    const { width: d } = this.#options;
    const b = groups[0]!.value.shape[0];
    const count = groups.length;
    const tokenList = groups.map((g) => dense(g.value, s.get(`token/${g.name}/kernel`), s.get(`token/${g.name}/bias`)));
    const tokens = tf.stack(tokenList, 1) as tf.Tensor3D; // [B, G, d]
    const context = tf.mean(tokens, 1); // [B, d]
    const hidden = tf.tanh(
      tf.add(
        tf.add(dense(tokens, s.get('score/token/kernel')), tf.expandDims(dense(context, s.get('score/context/kernel')), 1)),
        s.get('score/bias'),
      ),
    ); // [B, G, h]
    const scores = tf.reshape(dense(hidden, s.get('score/query')), [b, count]);
    const weights = tf.softmax(scores) as tf.Tensor2D;
    const weighted = tf.mul(tokens, tf.expandDims(weights, 2));
    const z = this.#options.output === 'sum'
      ? tf.sum(weighted, 1)
      : tf.reshape(tf.mul(weighted, count), [b, count * d]);
    return { z: z as tf.Tensor2D, weights, names: groups.map((g) => g.name) };
  }
}
