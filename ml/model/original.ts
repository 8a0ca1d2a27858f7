/**
 * The original (event-side) feature groups: user and item ID embeddings (row 0 = unknown: a cold
 * entity, or one hidden by original-feature dropout) and a projection of the behavioural
 * aggregates. While training, DropoutNet-style original-feature dropout hides a fraction of
 * examples' IDs so the model learns to lean on synthetic features for cold entities.
 */
import * as tf from '@tensorflow/tfjs';
import type { OriginalInputSchema } from '../data/batch.ts';
import type { GroupSpec, FeatureGroup } from './combine/FeatureGroup.ts';
import { glorotUniform, normal, zeros } from './initializers.ts';
import { dense, type ForwardOptions } from './ops.ts';
import type { ParamScope } from './Params.ts';
import { deriveSeed } from './seeds.ts';

export interface OriginalFeaturesOptions {
  readonly idEmbeddingDim: number;
  readonly aggregateProjection: number;
  readonly featureDropout: number;
}

export interface OriginalInputs {
  readonly userId: tf.Tensor1D;
  readonly itemId: tf.Tensor1D;
  readonly aggregates: tf.Tensor2D;
}

export class OriginalFeatures {
  readonly groups: readonly GroupSpec[];
  readonly #scope: ParamScope;
  readonly #schema: OriginalInputSchema;
  readonly #options: OriginalFeaturesOptions;

  constructor(scope: ParamScope, schema: OriginalInputSchema, options: OriginalFeaturesOptions) {
    this.#scope = scope;
    this.#schema = schema;
    this.#options = options;
    const e = options.idEmbeddingDim;
    scope.create('user_id/table', [schema.userIdVocabSize, e], normal(0.05));
    scope.create('item_id/table', [schema.itemIdVocabSize, e], normal(0.05));
    const groups: GroupSpec[] = [
      { name: 'user_id', kind: 'original', dim: e },
      { name: 'item_id', kind: 'original', dim: e },
    ];
    const a = schema.aggregateNames.length;
    if (a > 0) {
      scope.create('aggregates/kernel', [a, options.aggregateProjection], glorotUniform);
      scope.create('aggregates/bias', [options.aggregateProjection], zeros);
      groups.push({ name: 'aggregates', kind: 'original', dim: options.aggregateProjection });
    }
    this.groups = groups;
  }

  apply(inputs: OriginalInputs, options: ForwardOptions): FeatureGroup[] {
    const s = this.#scope;
    let { userId, itemId, aggregates } = inputs;
    const rate = this.#options.featureDropout;
    if (options.training && rate > 0) {
      const b = userId.shape[0];
      const keep = (side: string): tf.Tensor1D => {
        const seed = options.seed === undefined ? undefined : deriveSeed(options.seed, `original/dropout/${side}`);
        return tf.cast(tf.greaterEqual(tf.randomUniform([b], 0, 1, 'float32', seed), rate), 'int32');
      };
      const keepUser = keep('user');
      const keepItem = keep('item');
      userId = tf.mul(userId, keepUser);
      itemId = tf.mul(itemId, keepItem);
      aggregates = tf.mul(aggregates, tf.expandDims(tf.cast(tf.mul(keepUser, keepItem), 'float32'), 1));
    }
    const [user, item, aggregateSpec] = this.groups as [GroupSpec, GroupSpec, GroupSpec | undefined];
    const groups: FeatureGroup[] = [
      { ...user, value: tf.gather(s.get('user_id/table'), userId) as tf.Tensor2D },
      { ...item, value: tf.gather(s.get('item_id/table'), itemId) as tf.Tensor2D },
    ];
    if (aggregateSpec !== undefined && this.#schema.aggregateNames.length > 0) {
      groups.push({ ...aggregateSpec, value: dense(aggregates, s.get('aggregates/kernel'), s.get('aggregates/bias')) as tf.Tensor2D });
    }
    return groups;
  }
}
