/**
 * The primary network: an MLP on the combined feature vector z -> one output per example (a
 * logit for the binary task, the predicted rating for regression).
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform, heNormal, zeros } from './initializers.ts';
import { dense, dropout, type ForwardOptions } from './ops.ts';
import type { ParamScope } from './Params.ts';

export interface PrimaryNetworkOptions {
  readonly inputDim: number;
  readonly hiddenSizes: readonly number[];
  readonly dropout: number;
}

export class PrimaryNetwork {
  readonly #scope: ParamScope;
  readonly #options: PrimaryNetworkOptions;

  constructor(scope: ParamScope, options: PrimaryNetworkOptions) {
    this.#scope = scope;
    this.#options = options;
    let width = options.inputDim;
    options.hiddenSizes.forEach((units, k) => {
      scope.create(`hidden/${k}/kernel`, [width, units], heNormal);
      scope.create(`hidden/${k}/bias`, [units], zeros);
      width = units;
    });
    scope.create('out/kernel', [width, 1], glorotUniform);
    scope.create('out/bias', [1], zeros);
  }

  /** [B, inputDim] -> [B] (not tidied: call inside tf.tidy). */
  apply(z: tf.Tensor2D, options: ForwardOptions): tf.Tensor1D {
    const s = this.#scope;
    let x: tf.Tensor = z;
    this.#options.hiddenSizes.forEach((_, k) => {
      x = tf.relu(dense(x, s.get(`hidden/${k}/kernel`), s.get(`hidden/${k}/bias`)));
      x = dropout(x, this.#options.dropout, options, `${this.#scope.prefix}/hidden/${k}`);
    });
    const out = dense(x, s.get('out/kernel'), s.get('out/bias'));
    return tf.reshape(out, [z.shape[0]]);
  }
}
