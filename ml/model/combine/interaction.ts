/**
 * The on-demand pairwise feature: user and item synthetic features projected to a shared width
 * and multiplied elementwise. Computed at request time (it depends on the pair), never stored.
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform } from '../initializers.ts';
import { dense } from '../ops.ts';
import type { ParamScope } from '../Params.ts';
import type { GroupSpec } from './FeatureGroup.ts';

export const INTERACTION_GROUP = 'user_x_item';

export class Interaction {
  readonly spec: GroupSpec;
  readonly #scope: ParamScope;

  constructor(scope: ParamScope, synthDim: number, width: number) {
    this.#scope = scope;
    this.spec = { name: INTERACTION_GROUP, kind: 'synthetic', dim: width };
    scope.create('user/kernel', [synthDim, width], glorotUniform);
    scope.create('item/kernel', [synthDim, width], glorotUniform);
  }

  /** [B, S] x [B, S] -> [B, width] */
  apply(synthUser: tf.Tensor2D, synthItem: tf.Tensor2D): tf.Tensor2D {
    const u = dense(synthUser, this.#scope.get('user/kernel'));
    const i = dense(synthItem, this.#scope.get('item/kernel'));
    return tf.mul(u, i) as tf.Tensor2D;
  }
}
