/**
 * The whole model, with the corrected forward pass (DESIGN.md section 1):
 *
 *   sUser = userCompanion(users)          [U, S]  once per distinct user of the batch
 *   sItem = itemCompanion(items)          [I, S]  once per distinct item
 *   groups = original(event) + [sUser[userRow], sItem[itemRow], interaction(both)]
 *            (+ ID x synthetic interactions when combine.idInteraction is on)
 *   z, weights = combine(groups)
 *   y = primary(z)                        [B]
 *   r = retrieval(sUser[userRow], sItem[itemRow])            [B] two-tower score (ANN candidates)
 *   loss = w_p * task(y, label) + w_k * ranking(y) + w_r * task(r, label) + l1 * mean|s| + l2 * mean s^2
 *                                          (s: the batch's sUser and sItem; ranking: an optional
 *                                           BPR / sampled-softmax loss over grouped rows, w_p = 1
 *                                           and w_k = 0 unless a RankingObjective says otherwise)
 *
 * so the loss depends on the companions and they receive gradients. Parameters live in one
 * registry (`Params`) in a fixed order; `trainableVariables()` is the list to optimize.
 * Methods returning tensors are tidied except `forward` and `loss`, which are meant to run
 * inside the caller's tf.tidy / optimizer.minimize.
 */
import * as tf from '@tensorflow/tfjs';
import type { EntityInputs, ExampleBatch, SyntheticBatch } from '../data/batch.ts';
import type { CombineResult, Combiner } from './combine/Combiner.ts';
import { createCombiner } from './combine/createCombiner.ts';
import type { FeatureGroup, GroupSpec } from './combine/FeatureGroup.ts';
import { IdInteraction } from './combine/idInteraction.ts';
import { Interaction } from './combine/interaction.ts';
import type { Companion, PruneOptions, SizeChange } from './companion/Companion.ts';
import { createCompanion } from './companion/createCompanion.ts';
import { meanSquaredError, sigmoidCrossEntropy, synthMoments } from './losses.ts';
import { POINTWISE_OBJECTIVE, rankingLoss, type RankingObjective } from './rankingLoss.ts';
import { type ModelConfig, parseModelConfig } from './ModelConfig.ts';
import type { ForwardOptions } from './ops.ts';
import { OriginalFeatures } from './original.ts';
import { Params } from './Params.ts';
import { PrimaryNetwork } from './primary.ts';
import { RetrievalHead } from './retrieval.ts';
import { type EntityType, type ModelSchemas, ModelInputError, validateSchemas } from './schemas.ts';
import { type BatchTensors, type EntityTensors, toBatchTensors, toEntityTensors, toSyntheticTensors } from './tensors.ts';

export interface ForwardResult {
  /** [B] logits (binary) or predicted ratings (regression). */
  readonly output: tf.Tensor1D;
  /** [U, S] synthetic features of the batch's distinct users (rows of `batch.users`). */
  readonly synthUser: tf.Tensor2D;
  /** [I, S] synthetic features of the batch's distinct items. */
  readonly synthItem: tf.Tensor2D;
  /** [B, G] per-example feature-group weights, rows sum to 1. */
  readonly groupWeights: tf.Tensor2D;
  readonly groupNames: readonly string[];
  /** [B] the retrieval head's logits (binary) or scores (regression). */
  readonly retrieval: tf.Tensor1D;
}

export interface LossResult {
  /** The scalar to minimize. */
  readonly total: tf.Scalar;
  readonly task: tf.Scalar;
  /** The ranking loss of the objective (before its weight; 0 for a pointwise objective). */
  readonly ranking: tf.Scalar;
  /** The retrieval head's task loss (before its weight). */
  readonly retrieval: tf.Scalar;
  /** mean |s| and mean s^2 over the synthetic features (before their l1 / l2 weights). */
  readonly synthMeanAbs: tf.Scalar;
  readonly synthMeanSquare: tf.Scalar;
  readonly forward: ForwardResult;
}

export interface Explanation {
  /** [B] probabilities (binary) or ratings. */
  readonly prediction: tf.Tensor1D;
  readonly groupWeights: tf.Tensor2D;
  readonly groupNames: readonly string[];
}

/** A companion size change, tagged with the entity type it applies to. */
export type ModelSizeChange = SizeChange & { readonly entity: EntityType };

export interface SynthModelOptions {
  /** Saved values by parameter name (see serialize.ts); otherwise seeded initialization. */
  readonly initialValues?: ReadonlyMap<string, tf.Tensor>;
}

type AnyBatch = ExampleBatch | BatchTensors;

type OriginalTensors = Pick<BatchTensors, 'userId' | 'itemId' | 'aggregates' | 'userRow' | 'itemRow'>;

interface HeadResult {
  readonly output: tf.Tensor1D;
  readonly combined: tf.Tensor2D;
  readonly groupWeights: tf.Tensor2D;
  readonly groupNames: readonly string[];
  readonly retrieval: tf.Tensor1D;
}

/** Predictions scored from given synthetic features, with what explains them. */
export interface SyntheticScore {
  /** [B] probabilities (binary) or ratings. */
  readonly prediction: tf.Tensor1D;
  /** [B, G] per-example feature-group weights (columns follow `groupNames`). */
  readonly groupWeights: tf.Tensor2D;
  /** [B, combine output width] the combined feature vectors z. */
  readonly combined: tf.Tensor2D;
}

function isTensorBatch(batch: AnyBatch): batch is BatchTensors {
  return batch.userId instanceof tf.Tensor;
}

export class SynthModel {
  readonly schemas: ModelSchemas;
  readonly params: Params;
  readonly #config: ModelConfig;
  readonly #companions: Record<EntityType, Companion>;
  readonly #original: OriginalFeatures;
  readonly #interaction: Interaction;
  readonly #idInteraction: IdInteraction | undefined;
  readonly #combiner: Combiner;
  readonly #primary: PrimaryNetwork;
  readonly #retrieval: RetrievalHead;

  /** Prefer `createModel` (validates and explains bad configs); this re-validates too. */
  constructor(config: ModelConfig, schemas: ModelSchemas, options: SynthModelOptions = {}) {
    this.#config = parseModelConfig(config);
    validateSchemas(schemas);
    this.schemas = schemas;
    const c = this.#config;
    this.params = new Params({ seed: c.seed, ...(options.initialValues ? { initialValues: options.initialValues } : {}) });
    try {
      this.#companions = {
        user: createCompanion(c, schemas.user, 'user', this.params.scope('user/companion')),
        item: createCompanion(c, schemas.item, 'item', this.params.scope('item/companion')),
      };
      this.#original = new OriginalFeatures(this.params.scope('original'), schemas.original, c.original);
      this.#interaction = new Interaction(this.params.scope('combine/interaction'), c.companion.synthDim, c.combine.width);
      const synthDim = c.companion.synthDim;
      this.#idInteraction = c.combine.idInteraction
        ? new IdInteraction(this.params.scope('combine/id_interaction'), c.original.idEmbeddingDim, synthDim, c.combine.width)
        : undefined;
      const groups: GroupSpec[] = [
        ...this.#original.groups,
        { name: 'user_synth', kind: 'synthetic', dim: synthDim },
        { name: 'item_synth', kind: 'synthetic', dim: synthDim },
        this.#interaction.spec,
        ...(this.#idInteraction?.specs ?? []),
      ];
      this.#combiner = createCombiner(c, groups, this.params.scope(`combine/${c.combine.mode}`));
      this.#primary = new PrimaryNetwork(this.params.scope('primary'), {
        inputDim: this.#combiner.outputDim,
        hiddenSizes: c.primary.hiddenSizes,
        dropout: c.primary.dropout,
      });
      this.#retrieval = new RetrievalHead(this.params.scope('retrieval'), synthDim);
    } catch (error) {
      this.params.dispose();
      throw error;
    }
  }

  /** The current configuration (including resized companion sizes): rebuilds this model's shapes. */
  getConfig(): ModelConfig {
    return structuredClone(this.#config);
  }

  get task(): ModelConfig['task'] {
    return this.#config.task;
  }

  /** Feature group names, in the column order of the group weights. */
  get groupNames(): string[] {
    return this.#combiner.groups.map((g) => g.name);
  }

  companion(entity: EntityType): Companion {
    return this.#companions[entity];
  }

  /** Converts a typed-array batch to tensors (validated against the schemas). */
  toTensors(batch: ExampleBatch): BatchTensors {
    return toBatchTensors(batch, this.schemas);
  }

  /** The full forward pass. Not tidied: call inside tf.tidy (or optimizer.minimize). */
  forward(batch: BatchTensors, options: ForwardOptions): ForwardResult {
    const synthUser = this.#companions.user.apply(batch.users, options);
    const synthItem = this.#companions.item.apply(batch.items, options);
    const { output, groupWeights, groupNames, retrieval } = this.#head(batch, synthUser, synthItem, options);
    return { output, synthUser, synthItem, groupWeights, groupNames, retrieval };
  }

  /** Everything after the companions: combination, primary network and retrieval head. */
  #head(original: OriginalTensors, synthUser: tf.Tensor2D, synthItem: tf.Tensor2D, options: ForwardOptions): HeadResult {
    const userSynth = tf.gather(synthUser, original.userRow) as tf.Tensor2D;
    const itemSynth = tf.gather(synthItem, original.itemRow) as tf.Tensor2D;
    const synthDim = this.#config.companion.synthDim;
    const originalGroups = this.#original.apply(original, options);
    const groups: FeatureGroup[] = [
      ...originalGroups,
      { name: 'user_synth', kind: 'synthetic', dim: synthDim, value: userSynth },
      { name: 'item_synth', kind: 'synthetic', dim: synthDim, value: itemSynth },
      { ...this.#interaction.spec, value: this.#interaction.apply(userSynth, itemSynth) },
    ];
    if (this.#idInteraction) {
      const id = (name: string): tf.Tensor2D => originalGroups.find((group) => group.name === name)!.value;
      const values = this.#idInteraction.apply(id('user_id'), id('item_id'), userSynth, itemSynth);
      this.#idInteraction.specs.forEach((spec, k) => groups.push({ ...spec, value: values[k]! }));
    }
    const combined: CombineResult = this.#combiner.apply(groups, options);
    const output = this.#primary.apply(combined.z, options);
    const retrieval = this.#retrieval.score(userSynth, itemSynth);
    return { output, combined: combined.z, groupWeights: combined.weights, groupNames: combined.names, retrieval };
  }

  /**
   * Scores pairs from synthetic features computed earlier (materialized in the store), so serving
   * runs no companion for entities it has vectors of. Inference mode; tidied; caller disposes.
   */
  scoreFromSynthetic(batch: SyntheticBatch): SyntheticScore {
    return tf.tidy(() => {
      const tensors = toSyntheticTensors(batch, this.schemas.original, this.#config.companion.synthDim);
      const head = this.#head(tensors, tensors.synthUser, tensors.synthItem, { training: false });
      const prediction = this.#config.task === 'binary' ? tf.sigmoid(head.output) : head.output;
      return { prediction: prediction as tf.Tensor1D, groupWeights: head.groupWeights, combined: head.combined };
    });
  }

  /**
   * [N, S] retrieval queries of N users' synthetic features: the inner product of a query with a
   * stored item vector, plus `retrievalBias()`, is the retrieval head's score. Tidied.
   */
  retrievalQueries(synthUser: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.#retrieval.queries(synthUser));
  }

  retrievalBias(): number {
    return this.#retrieval.bias();
  }

  /**
   * Task loss (and the objective's ranking loss) + synthetic-feature regularization. Not tidied
   * (see `forward`).
   */
  loss(batch: BatchTensors, options: ForwardOptions, objective: RankingObjective = POINTWISE_OBJECTIVE): LossResult {
    if (batch.label === undefined) throw new ModelInputError('loss: the batch has no labels');
    const forward = this.forward(batch, options);
    const taskLoss = this.#config.task === 'binary' ? sigmoidCrossEntropy : meanSquaredError;
    const task = taskLoss(batch.label, forward.output);
    const ranking = rankingLoss(objective.loss, forward.output, batch.groupSize);
    const retrieval = taskLoss(batch.label, forward.retrieval);
    const { meanAbs, meanSquare } = synthMoments([forward.synthUser, forward.synthItem]);
    const { l1, l2 } = this.#config.regularization;
    let total: tf.Scalar = objective.pointwiseWeight === 1 ? task : tf.mul(task, objective.pointwiseWeight);
    if (objective.loss !== 'none' && objective.weight > 0) total = tf.add(total, tf.mul(ranking, objective.weight));
    const retrievalWeight = this.#config.retrieval.weight;
    if (retrievalWeight > 0) total = tf.add(total, tf.mul(retrieval, retrievalWeight));
    if (l1 > 0) total = tf.add(total, tf.mul(meanAbs, l1));
    if (l2 > 0) total = tf.add(total, tf.mul(meanSquare, l2));
    return { total, task, ranking, retrieval, synthMeanAbs: meanAbs, synthMeanSquare: meanSquare, forward };
  }

  /** [B] probabilities (binary) or ratings (regression), inference mode. Tidied. */
  predict(batch: AnyBatch): tf.Tensor1D {
    return tf.tidy(() => this.explain(batch).prediction);
  }

  /** Predictions with the per-group weights that explain them. Tidied; caller disposes. */
  explain(batch: AnyBatch): Explanation {
    const result = tf.tidy(() => {
      const tensors = isTensorBatch(batch) ? batch : this.toTensors(batch);
      const forward = this.forward(tensors, { training: false });
      const prediction = this.#config.task === 'binary' ? tf.sigmoid(forward.output) : forward.output;
      return { prediction: prediction as tf.Tensor1D, groupWeights: forward.groupWeights };
    });
    return { ...result, groupNames: this.groupNames };
  }

  /** Synthetic features [N, synthDim] of N entities (materialization), inference mode. Tidied. */
  synthesize(entity: EntityType, inputs: EntityInputs | EntityTensors): tf.Tensor2D {
    return tf.tidy(() => {
      const tensors = inputs.categorical instanceof tf.Tensor
        ? (inputs as EntityTensors)
        : toEntityTensors(inputs as EntityInputs, this.schemas[entity], entity);
      return this.#companions[entity].apply(tensors, { training: false });
    });
  }

  /** Every variable, in the fixed order (give this list to the optimizer). */
  trainableVariables(): tf.Variable[] {
    return this.params.variables();
  }

  /** [stable name, variable] pairs, in the fixed order. */
  namedVariables(): [string, tf.Variable][] {
    return this.params.entries();
  }

  countParameters(): number {
    return this.params.countParameters();
  }

  /**
   * Widens a companion hidden layer (MLP `hidden/k`, transformer `layer/l/ffn`), preserving the
   * function. Variables are replaced: rebuild the optimizer afterwards.
   */
  widen(entity: EntityType, layerName: string, newUnits: number, seed: number): ModelSizeChange {
    return this.#resized(entity, this.#companions[entity].widen(layerName, newUnits, seed));
  }

  /** Prunes companion hidden units whose weights' L1 is <= threshold. Rebuild the optimizer afterwards. */
  prune(entity: EntityType, threshold: number, options: PruneOptions = {}): ModelSizeChange {
    return this.#resized(entity, this.#companions[entity].prune(threshold, options));
  }

  /** Adds an identity-initialized MLP companion layer. Rebuild the optimizer afterwards. */
  addLayer(entity: EntityType, options: { readonly after?: number } = {}): ModelSizeChange {
    return this.#resized(entity, this.#companions[entity].addLayer(options));
  }

  dispose(): void {
    this.params.dispose();
  }

  #resized(entity: EntityType, change: SizeChange): ModelSizeChange {
    this.#config.companion.sizes[entity] = this.#companions[entity].sizes();
    return { ...change, entity };
  }
}
