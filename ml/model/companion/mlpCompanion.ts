/**
 * MLP companion: every input of an entity becomes a fixed-width block, the blocks are
 * concatenated and an MLP maps them to synthDim synthetic features.
 *
 * - categorical field i: its own embedding table [vocab_i, E] (index 0 = a learned "unknown");
 * - tags and text tokens: embeddings mean-pooled over the non-padding ids (mask from ids != 0),
 *   plus a presence flag (at least one id);
 * - modality m: its own dense projection [D_m -> E], multiplied by the modality's presence, plus
 *   the presence flag: a missing modality contributes exact zeros and says that it is missing;
 * - numeric fields: values (zeroed where missing) and their presence masks.
 *
 * Hidden layers are dense + ReLU (+ dropout); the output layer is linear. The hidden layers
 * support widen / prune / addLayer (see net2net.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { EntityInputSchema } from '../../data/batch.ts';
import { glorotUniform, heNormal, identity, normal, zeros } from '../initializers.ts';
import type { ModelConfig } from '../ModelConfig.ts';
import {
  column,
  dense,
  dropout,
  embedSequence,
  type ForwardOptions,
  maskRows,
  maskedMean,
  nonPaddingMask,
} from '../ops.ts';
import type { ParamScope } from '../Params.ts';
import type { EntityTensors } from '../tensors.ts';
import type { Companion, HiddenLayerInfo, PruneOptions, SizeChange } from './Companion.ts';
import { type UnitBlock, unitCount } from './net2net.ts';
import { pruneLayers, type ResizableLayers, widenLayer } from './resizableLayers.ts';

export interface MlpCompanionOptions {
  readonly schema: EntityInputSchema;
  readonly synthDim: number;
  readonly embeddingDim: number;
  readonly hiddenSizes: readonly number[];
  readonly dropout: number;
}

export function mlpCompanionOptions(config: ModelConfig, schema: EntityInputSchema, hiddenSizes: readonly number[]): MlpCompanionOptions {
  return {
    schema,
    synthDim: config.companion.synthDim,
    embeddingDim: config.companion.embeddingDim,
    hiddenSizes,
    dropout: config.companion.mlp.dropout,
  };
}

/** Width of the concatenated input blocks for a schema. */
export function mlpInputWidth(schema: EntityInputSchema, embeddingDim: number): number {
  const e = embeddingDim;
  const width =
    schema.categoricalVocabSizes.length * e +
    (schema.maxTags > 0 ? e + 1 : 0) +
    (schema.maxTokens > 0 ? e + 1 : 0) +
    schema.modalities.length * (e + 1) +
    2 * schema.numericNames.length;
  // An entity type without any non-event data gets a constant input: the companion then
  // learns one vector for all entities of that type.
  return Math.max(width, 1);
}

export class MlpCompanion implements Companion {
  readonly architecture = 'mlp' as const;
  readonly synthDim: number;
  readonly schema: EntityInputSchema;
  readonly prefix: string;
  readonly #scope: ParamScope;
  readonly #options: MlpCompanionOptions;
  #hidden: number[];

  constructor(scope: ParamScope, options: MlpCompanionOptions) {
    this.#scope = scope;
    this.#options = options;
    this.prefix = scope.prefix;
    this.schema = options.schema;
    this.synthDim = options.synthDim;
    this.#hidden = [...options.hiddenSizes];
    const { schema, embeddingDim: e } = options;
    const embedding = normal(0.05);
    schema.categoricalVocabSizes.forEach((vocab, i) => scope.create(`cat/${i}/table`, [vocab, e], embedding));
    if (schema.maxTags > 0) scope.create('tags/table', [schema.tagVocabSize, e], embedding);
    if (schema.maxTokens > 0) scope.create('tokens/table', [schema.tokenVocabSize, e], embedding);
    schema.modalities.forEach((m, i) => {
      scope.create(`modality/${i}/kernel`, [m.dimension, e], glorotUniform);
      scope.create(`modality/${i}/bias`, [e], zeros);
    });
    let width = mlpInputWidth(schema, e);
    this.#hidden.forEach((units, k) => {
      scope.create(`hidden/${k}/kernel`, [width, units], heNormal);
      scope.create(`hidden/${k}/bias`, [units], zeros);
      width = units;
    });
    scope.create('out/kernel', [width, options.synthDim], glorotUniform);
    scope.create('out/bias', [options.synthDim], zeros);
  }

  apply(inputs: EntityTensors, options: ForwardOptions): tf.Tensor2D {
    const s = this.#scope;
    const { schema } = this;
    const n = inputs.count;
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < schema.categoricalVocabSizes.length; i++) {
      parts.push(tf.gather(s.get(`cat/${i}/table`), column(inputs.categorical, i)));
    }
    if (schema.maxTags > 0) {
      const { mean, present } = maskedMean(embedSequence(s.get('tags/table'), inputs.tags), nonPaddingMask(inputs.tags));
      parts.push(mean, present);
    }
    if (schema.maxTokens > 0) {
      const { mean, present } = maskedMean(embedSequence(s.get('tokens/table'), inputs.tokens), nonPaddingMask(inputs.tokens));
      parts.push(mean, present);
    }
    inputs.modalities.forEach((m, i) => {
      const projected = dense(maskRows(m.values, m.present), s.get(`modality/${i}/kernel`), s.get(`modality/${i}/bias`));
      parts.push(tf.mul(projected, m.present), m.present);
    });
    if (schema.numericNames.length > 0) {
      parts.push(maskRows(inputs.numeric, inputs.numericPresent), inputs.numericPresent);
    }
    let x: tf.Tensor = parts.length === 0 ? tf.ones([n, 1]) : parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    this.#hidden.forEach((_, k) => {
      x = tf.relu(dense(x, s.get(`hidden/${k}/kernel`), s.get(`hidden/${k}/bias`)));
      x = dropout(x, this.#options.dropout, options, `${this.prefix}/hidden/${k}`);
    });
    return dense(x, s.get('out/kernel'), s.get('out/bias')) as tf.Tensor2D;
  }

  hiddenLayers(): HiddenLayerInfo[] {
    return this.#hidden.map((units, k) => ({ name: `hidden/${k}`, units }));
  }

  sizes(): { hiddenSizes: number[] } {
    return { hiddenSizes: [...this.#hidden] };
  }

  widen(layerName: string, newUnits: number, seed: number): SizeChange {
    return widenLayer(this.#resizable(), layerName, newUnits, seed);
  }

  prune(threshold: number, options: PruneOptions = {}): SizeChange {
    return pruneLayers(this.#resizable(), threshold, options);
  }

  addLayer(options: { readonly after?: number } = {}): SizeChange {
    const count = this.#hidden.length;
    const after = options.after ?? count - 1;
    if (count === 0) {
      throw new Error(`addLayer (${this.prefix}): needs at least one hidden layer (an identity layer is exact only on ReLU outputs)`);
    }
    if (!Number.isInteger(after) || after < 0 || after >= count) {
      throw new Error(`addLayer (${this.prefix}): expected "after" in [0, ${count - 1}], got ${after}`);
    }
    const before = this.#parameterCount();
    const units = this.#hidden[after]!;
    const position = after + 1;
    // Shift the names of the layers that follow, last first, so a fresh build from the new
    // sizes has the same names in the same order.
    for (let k = count - 1; k >= position; k--) {
      this.#scope.params.rename(this.#scope.fullName(`hidden/${k}/kernel`), this.#scope.fullName(`hidden/${k + 1}/kernel`));
      this.#scope.params.rename(this.#scope.fullName(`hidden/${k}/bias`), this.#scope.fullName(`hidden/${k + 1}/bias`));
    }
    // relu(I h + 0) = h because h is itself a ReLU output.
    this.#scope.create(`hidden/${position}/kernel`, [units, units], identity, { after: `hidden/${after}/bias` });
    this.#scope.create(`hidden/${position}/bias`, [units], zeros, { after: `hidden/${position}/kernel` });
    this.#hidden.splice(position, 0, units);
    return {
      kind: 'add_layer',
      layer: `hidden/${position}`,
      position,
      units,
      parametersBefore: before,
      parametersAfter: this.#parameterCount(),
      functionPreserving: true,
    };
  }

  #resizable(): ResizableLayers {
    return {
      params: this.#scope.params,
      owner: this.prefix,
      names: this.hiddenLayers().map((layer) => layer.name),
      units: this.#hidden,
      block: (k) => this.#block(k),
      parameterCount: () => this.#parameterCount(),
    };
  }

  #block(k: number): UnitBlock {
    const next = k + 1 < this.#hidden.length ? `hidden/${k + 1}` : 'out';
    const block = {
      inKernel: this.#scope.fullName(`hidden/${k}/kernel`),
      inBias: this.#scope.fullName(`hidden/${k}/bias`),
      outKernel: this.#scope.fullName(`${next}/kernel`),
      outBias: this.#scope.fullName(`${next}/bias`),
    };
    if (unitCount(this.#scope.params, block) !== this.#hidden[k]) throw new Error(`${this.prefix}: size bookkeeping out of sync`);
    return block;
  }

  #parameterCount(): number {
    return this.#scope.params.countParameters(this.prefix);
  }
}
