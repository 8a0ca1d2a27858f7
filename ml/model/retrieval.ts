/**
 * The retrieval head: a two-tower score over the synthetic features alone,
 *
 *   r(u, i) = (s_u W) . s_i + b
 *
 * trained beside the primary network (an auxiliary task loss, weighted by `retrieval.weight`) so
 * that the materialized item vectors s_i can be searched by inner product with the query
 * q_u = s_u W: recommendation candidates come from a pgvector HNSW index over the stored item
 * vectors, for any user whose synthetic features exist, including a brand-new one known only by
 * metadata. The primary network then ranks the candidates.
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform, zeros } from './initializers.ts';
import { dense } from './ops.ts';
import type { ParamScope } from './Params.ts';

export class RetrievalHead {
  readonly #scope: ParamScope;

  constructor(scope: ParamScope, synthDim: number) {
    this.#scope = scope;
    scope.create('kernel', [synthDim, synthDim], glorotUniform);
    scope.create('bias', [1], zeros);
  }

  /** [N, S] user synthetic features -> [N, S] queries for inner-product search over item vectors. */
  queries(synthUser: tf.Tensor2D): tf.Tensor2D {
    return dense(synthUser, this.#scope.get('kernel')) as tf.Tensor2D;
  }

  /** [B, S] x [B, S] (one row per example) -> [B] retrieval logits (binary) or scores. */
  score(synthUser: tf.Tensor2D, synthItem: tf.Tensor2D): tf.Tensor1D {
    const dot = tf.sum(tf.mul(this.queries(synthUser), synthItem), 1);
    return tf.add(dot, this.#scope.get('bias')) as tf.Tensor1D;
  }

  /** The bias b, added to q . s_i to give r(u, i). */
  bias(): number {
    return this.#scope.get('bias').dataSync()[0]!;
  }
}
