/**
 * On-demand pairwise features between one side's learned ID embedding and the other side's
 * synthetic features: `user_id_x_item` = (e_u W_u) * (s_i V_i) and `item_id_x_user` =
 * (e_i W_i) * (s_u V_u), elementwise. For a cold item this is how a known user's taste (their ID
 * embedding) meets what the companion synthesized from the item's content: a dot-product
 * structure that the primary MLP, fed the concatenation, learns only slowly. Under original-
 * feature dropout the ID side is the "unknown" row, so the group then carries no user-specific
 * signal, exactly as for a cold user.
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform } from '../initializers.ts';
import { dense } from '../ops.ts';
import type { ParamScope } from '../Params.ts';
import type { GroupSpec } from './FeatureGroup.ts';

export const ID_INTERACTION_GROUPS = ['user_id_x_item', 'item_id_x_user'] as const;

export class IdInteraction {
  readonly specs: readonly GroupSpec[];
  readonly #scope: ParamScope;

  constructor(scope: ParamScope, idDim: number, synthDim: number, width: number) {
    this.#scope = scope;
    this.specs = ID_INTERACTION_GROUPS.map((name) => ({ name, kind: 'synthetic' as const, dim: width }));
    for (const side of ['user', 'item']) {
      scope.create(`${side}_id/kernel`, [idDim, width], glorotUniform);
      scope.create(`${side}_synth/kernel`, [synthDim, width], glorotUniform);
    }
  }

  /** [B, E] ID embeddings and [B, S] synthetic features of both sides -> two [B, width] groups. */
  apply(userId: tf.Tensor2D, itemId: tf.Tensor2D, userSynth: tf.Tensor2D, itemSynth: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
    const s = this.#scope;
    const userXItem = tf.mul(dense(userId, s.get('user_id/kernel')), dense(itemSynth, s.get('item_synth/kernel')));
    const itemXUser = tf.mul(dense(itemId, s.get('item_id/kernel')), dense(userSynth, s.get('user_synth/kernel')));
    return [userXItem as tf.Tensor2D, itemXUser as tf.Tensor2D];
  }
}
