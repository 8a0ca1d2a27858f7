/**
 * Transformer companion: a small pre-norm transformer encoder over the entity's non-event data,
 * one token per piece of information, so self-attention can model relations inside it.
 *
 * Tokens (width d), each with a key mask (1 = attend):
 * - [CLS]: a learned vector, always present;
 * - categorical field i: value embedding (table [vocab_i, E], projected to d) + field
 *   embedding; masked when the value is 0 (unknown / missing);
 * - numeric field f: value * w_f + b_f; masked when absent;
 * - modality m: its own input projection [D_m -> d]; masked when absent;
 * - tags: tag embedding (projected) + a "tag" type embedding; padding (id 0) masked;
 * - text tokens: token embedding (projected) + position embedding; padding masked.
 * Masked tokens are also zeroed, so their values cannot reach the output by any path.
 *
 * Each layer: x += MHA(LN(x)) with an additive key mask (-1e9), x += FFN(LN(x)) (ReLU).
 * Output: final LN, then [CLS] (or the masked mean over tokens) -> dense -> synthDim.
 * Attention: one fused QKV projection ([N·T, d]·[d, 3d], one 2-D matMul), then
 * ml/nn/attention.ts (one fused kernel forward and one backward on wasm; stock ops elsewhere),
 * then the output projection; no rank-4 transposes or batched matMuls on the fast path.
 */
import * as tf from '@tensorflow/tfjs';
import type { EntityInputSchema } from '../../data/batch.ts';
import { glorotUniform, heNormal, normal, ones, zeros } from '../initializers.ts';
import { selfAttention } from '../../nn/attention.ts';
import { layerNorm } from '../../nn/layerNorm.ts';
import type { ModelConfig } from '../ModelConfig.ts';
import { column, dense, dropout, dropoutMultiplier, embedSequence, type ForwardOptions, maskRows, maskedMean, nonPaddingMask } from '../ops.ts';
import type { ParamScope } from '../Params.ts';
import type { EntityTensors } from '../tensors.ts';
import type { Companion, HiddenLayerInfo, PruneOptions, SizeChange } from './Companion.ts';
import { type UnitBlock, unitCount } from './net2net.ts';
import { pruneLayers, type ResizableLayers, widenLayer } from './resizableLayers.ts';

export interface TransformerCompanionOptions {
  readonly schema: EntityInputSchema;
  readonly synthDim: number;
  readonly embeddingDim: number;
  readonly width: number;
  readonly heads: number;
  /** One feed-forward width per layer. */
  readonly ffWidths: readonly number[];
  readonly dropout: number;
  readonly pooling: 'cls' | 'mean';
}

export function transformerCompanionOptions(
  config: ModelConfig,
  schema: EntityInputSchema,
  ffWidths: readonly number[],
): TransformerCompanionOptions {
  const t = config.companion.transformer;
  return {
    schema,
    synthDim: config.companion.synthDim,
    embeddingDim: config.companion.embeddingDim,
    width: t.width,
    heads: t.heads,
    ffWidths,
    dropout: t.dropout,
    pooling: t.pooling,
  };
}

/** Number of tokens (including [CLS]) for a schema. */
export function transformerTokenCount(schema: EntityInputSchema): number {
  return 1 + schema.categoricalVocabSizes.length + schema.numericNames.length + schema.modalities.length + schema.maxTags + schema.maxTokens;
}

export class TransformerCompanion implements Companion {
  readonly architecture = 'transformer' as const;
  readonly synthDim: number;
  readonly schema: EntityInputSchema;
  readonly prefix: string;
  readonly #scope: ParamScope;
  readonly #options: TransformerCompanionOptions;
  readonly #ffWidths: number[];

  constructor(scope: ParamScope, options: TransformerCompanionOptions) {
    if (options.width % options.heads !== 0) {
      throw new Error(`transformer companion: width ${options.width} is not divisible by heads ${options.heads}`);
    }
    this.#scope = scope;
    this.#options = options;
    this.prefix = scope.prefix;
    this.schema = options.schema;
    this.synthDim = options.synthDim;
    this.#ffWidths = [...options.ffWidths];
    const { schema, embeddingDim: e, width: d } = options;
    const small = normal(0.02);
    scope.create('cls', [d], small);
    const c = schema.categoricalVocabSizes.length;
    if (c > 0) {
      schema.categoricalVocabSizes.forEach((vocab, i) => scope.create(`cat/${i}/table`, [vocab, e], normal(0.05)));
      scope.create('cat/proj', [e, d], glorotUniform);
      scope.create('cat/field', [c, d], small);
    }
    const f = schema.numericNames.length;
    if (f > 0) {
      scope.create('num/weight', [f, d], glorotUniform);
      scope.create('num/bias', [f, d], small);
    }
    schema.modalities.forEach((m, i) => {
      scope.create(`modality/${i}/kernel`, [m.dimension, d], glorotUniform);
      scope.create(`modality/${i}/bias`, [d], small);
    });
    if (schema.maxTags > 0) {
      scope.create('tags/table', [schema.tagVocabSize, e], normal(0.05));
      scope.create('tags/proj', [e, d], glorotUniform);
      scope.create('tags/type', [d], small);
    }
    if (schema.maxTokens > 0) {
      scope.create('tokens/table', [schema.tokenVocabSize, e], normal(0.05));
      scope.create('tokens/proj', [e, d], glorotUniform);
      scope.create('tokens/position', [schema.maxTokens, d], small);
    }
    this.#ffWidths.forEach((ff, l) => {
      const p = `layer/${l}`;
      scope.create(`${p}/ln1/gamma`, [d], ones);
      scope.create(`${p}/ln1/beta`, [d], zeros);
      scope.create(`${p}/attn/qkv/kernel`, [d, 3 * d], glorotUniform);
      scope.create(`${p}/attn/qkv/bias`, [3 * d], zeros);
      scope.create(`${p}/attn/out/kernel`, [d, d], glorotUniform);
      scope.create(`${p}/attn/out/bias`, [d], zeros);
      scope.create(`${p}/ln2/gamma`, [d], ones);
      scope.create(`${p}/ln2/beta`, [d], zeros);
      scope.create(`${p}/ffn/in/kernel`, [d, ff], heNormal);
      scope.create(`${p}/ffn/in/bias`, [ff], zeros);
      scope.create(`${p}/ffn/out/kernel`, [ff, d], glorotUniform);
      scope.create(`${p}/ffn/out/bias`, [d], zeros);
    });
    scope.create('ln/gamma', [d], ones);
    scope.create('ln/beta', [d], zeros);
    scope.create('out/kernel', [d, options.synthDim], glorotUniform);
    scope.create('out/bias', [options.synthDim], zeros);
  }

  /** Token embeddings [N, T, d] (masked tokens zeroed) and the key mask [N, T]. */
  tokens(inputs: EntityTensors): { x: tf.Tensor3D; mask: tf.Tensor2D } {
    const s = this.#scope;
    const { schema } = this;
    const n = inputs.count;
    const d = this.#options.width;
    // Broadcast, not tf.tile: tile's gradient is one slice and one add per entity (2N kernels).
    const xs: tf.Tensor[] = [tf.add(tf.zeros([n, 1, d]), tf.reshape(s.get('cls'), [1, 1, d]))];
    const masks: tf.Tensor[] = [tf.ones([n, 1])];
    const c = schema.categoricalVocabSizes.length;
    if (c > 0) {
      const values = Array.from({ length: c }, (_, i) => tf.gather(s.get(`cat/${i}/table`), column(inputs.categorical, i)));
      const stacked = c === 1 ? tf.expandDims(values[0]!, 1) : tf.stack(values, 1);
      xs.push(tf.add(dense(stacked, s.get('cat/proj')), s.get('cat/field')));
      masks.push(nonPaddingMask(inputs.categorical));
    }
    if (schema.numericNames.length > 0) {
      const values = maskRows(inputs.numeric, inputs.numericPresent);
      xs.push(tf.add(tf.mul(tf.expandDims(values, 2), s.get('num/weight')), s.get('num/bias')));
      masks.push(inputs.numericPresent);
    }
    inputs.modalities.forEach((m, i) => {
      const projected = dense(maskRows(m.values, m.present), s.get(`modality/${i}/kernel`), s.get(`modality/${i}/bias`));
      xs.push(tf.expandDims(projected, 1));
      masks.push(m.present);
    });
    if (schema.maxTags > 0) {
      xs.push(tf.add(dense(embedSequence(s.get('tags/table'), inputs.tags), s.get('tags/proj')), s.get('tags/type')));
      masks.push(nonPaddingMask(inputs.tags));
    }
    if (schema.maxTokens > 0) {
      xs.push(tf.add(dense(embedSequence(s.get('tokens/table'), inputs.tokens), s.get('tokens/proj')), s.get('tokens/position')));
      masks.push(nonPaddingMask(inputs.tokens));
    }
    const mask = tf.concat(masks, 1) as tf.Tensor2D;
    const x = tf.mul(tf.concat(xs, 1), tf.expandDims(mask, 2)) as tf.Tensor3D;
    return { x, mask };
  }

  apply(inputs: EntityTensors, options: ForwardOptions): tf.Tensor2D {
    const s = this.#scope;
    const rate = this.#options.dropout;
    const { x: tokens, mask } = this.tokens(inputs);
    const [n, t] = mask.shape;
    // Additive key mask [N, T], applied to every head and query.
    const keyBias = tf.mul(tf.sub(mask, 1), 1e9);
    let x: tf.Tensor = tokens;
    this.#ffWidths.forEach((_, l) => {
      const p = `layer/${l}`;
      const site = `${this.prefix}/${p}`;
      const h1 = layerNorm(x, s.get(`${p}/ln1/gamma`), s.get(`${p}/ln1/beta`));
      const attended = this.#attention(h1, keyBias, l, options);
      x = tf.add(x, dropout(attended, rate, options, `${site}/attn/residual`));
      const h2 = layerNorm(x, s.get(`${p}/ln2/gamma`), s.get(`${p}/ln2/beta`));
      const inner = dropout(tf.relu(dense(h2, s.get(`${p}/ffn/in/kernel`), s.get(`${p}/ffn/in/bias`))), rate, options, `${site}/ffn/inner`);
      const ffn = dense(inner, s.get(`${p}/ffn/out/kernel`), s.get(`${p}/ffn/out/bias`));
      x = tf.add(x, dropout(ffn, rate, options, `${site}/ffn/residual`));
    });
    x = layerNorm(x, s.get('ln/gamma'), s.get('ln/beta'));
    const d = this.#options.width;
    const pooled = this.#options.pooling === 'cls'
      ? tf.reshape(tf.slice(x, [0, 0, 0], [n, 1, d]), [n, d])
      : maskedMean(x as tf.Tensor3D, mask).mean;
    return dense(pooled, s.get('out/kernel'), s.get('out/bias')) as tf.Tensor2D;
  }

  #attention(h: tf.Tensor, keyBias: tf.Tensor, layer: number, options: ForwardOptions): tf.Tensor {
    const s = this.#scope;
    const p = `layer/${layer}/attn`;
    const { heads } = this.#options;
    const [n, t] = h.shape as [number, number, number];
    // [N, T, 3d]: columns [Q | K | V] of the fused kernel, head-major inside each block.
    const qkv = dense(h, s.get(`${p}/qkv/kernel`), s.get(`${p}/qkv/bias`));
    const keep = dropoutMultiplier([n, heads, t, t], this.#options.dropout, options, `${this.prefix}/layer/${layer}/attn/probs`);
    const context = selfAttention(qkv, keyBias, heads, keep); // [N, T, d]
    return dense(context, s.get(`${p}/out/kernel`), s.get(`${p}/out/bias`));
  }

  hiddenLayers(): HiddenLayerInfo[] {
    return this.#ffWidths.map((units, l) => ({ name: `layer/${l}/ffn`, units }));
  }

  sizes(): { ffWidths: number[] } {
    return { ffWidths: [...this.#ffWidths] };
  }

  widen(layerName: string, newUnits: number, seed: number): SizeChange {
    return widenLayer(this.#resizable(), layerName, newUnits, seed);
  }

  prune(threshold: number, options: PruneOptions = {}): SizeChange {
    return pruneLayers(this.#resizable(), threshold, options);
  }

  addLayer(): SizeChange {
    throw new Error(
      `addLayer (${this.prefix}): supported for the MLP companion only; the transformer companion has ` +
        `companion.transformer.layers (1-2) layers, widen its feed-forward layers instead`,
    );
  }

  #resizable(): ResizableLayers {
    return {
      params: this.#scope.params,
      owner: this.prefix,
      names: this.hiddenLayers().map((layer) => layer.name),
      units: this.#ffWidths,
      block: (l) => this.#block(l),
      parameterCount: () => this.#parameterCount(),
    };
  }

  #block(l: number): UnitBlock {
    const f = (name: string): string => this.#scope.fullName(`layer/${l}/ffn/${name}`);
    const block = { inKernel: f('in/kernel'), inBias: f('in/bias'), outKernel: f('out/kernel'), outBias: f('out/bias') };
    if (unitCount(this.#scope.params, block) !== this.#ffWidths[l]) throw new Error(`${this.prefix}: size bookkeeping out of sync`);
    return block;
  }

  #parameterCount(): number {
    return this.#scope.params.countParameters(this.prefix);
  }
}
