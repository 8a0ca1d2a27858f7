/**
 * The companion network (feature synthesizer): maps the non-event data of N entities of one
 * type to synthetic features [N, synthDim]. Users and items each have their own companion, with
 * their own parameters and schema. Two implementations: `mlpCompanion.ts` and
 * `transformerCompanion.ts`, picked by `createCompanion`.
 *
 * Dynamic size: `widen` and `prune` (Net2Net-style, function-preserving) act on the MLP's hidden
 * layers and on the transformer's feed-forward layers; `addLayer` (identity-initialized) is
 * MLP-only. Each returns a SizeChange to record in the training run's lineage. Every size change
 * replaces variables, so an optimizer holding per-variable state (Adam) must be rebuilt after it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EntityInputSchema } from '../../data/batch.ts';
import type { CompanionArchitecture, CompanionSizes } from '../ModelConfig.ts';
import type { ForwardOptions } from '../ops.ts';
import type { EntityTensors } from '../tensors.ts';
import type { PruneCriterion } from './net2net.ts';

/** A resizable hidden layer: its name (for widen) and current width. */
export interface HiddenLayerInfo {
  readonly name: string;
  readonly units: number;
}

export interface PruneOptions {
  readonly criterion?: PruneCriterion;
}

/** A record of one size change, for lineage. */
export type SizeChange =
  | {
      readonly kind: 'widen';
      readonly layer: string;
      readonly from: number;
      readonly to: number;
      readonly seed: number;
      /** For each new unit (index >= from), the unit it copies. */
      readonly copiedUnits: readonly number[];
      readonly parametersBefore: number;
      readonly parametersAfter: number;
      readonly functionPreserving: true;
    }
  | {
      readonly kind: 'prune';
      readonly threshold: number;
      readonly criterion: PruneCriterion;
      /** Per layer: removed unit indices (in the layer's numbering before pruning). */
      readonly layers: readonly { readonly layer: string; readonly from: number; readonly to: number; readonly removedUnits: readonly number[] }[];
      readonly parametersBefore: number;
      readonly parametersAfter: number;
      /** Exact when the removed units' outgoing weights are 0 or their incoming weights are 0. */
      readonly functionPreserving: boolean;
    }
  | {
      readonly kind: 'add_layer';
      readonly layer: string;
      readonly position: number;
      readonly units: number;
      readonly parametersBefore: number;
      readonly parametersAfter: number;
      readonly functionPreserving: true;
    };

export interface Companion {
  readonly architecture: CompanionArchitecture;
  readonly synthDim: number;
  readonly schema: EntityInputSchema;
  /** Parameter name prefix, e.g. `user/companion`. */
  readonly prefix: string;
  /** Synthetic features [N, synthDim] (not tidied: call inside tf.tidy). */
  apply(inputs: EntityTensors, options: ForwardOptions): tf.Tensor2D;
  /** Current resizable layers. */
  hiddenLayers(): HiddenLayerInfo[];
  /** Current sizes, in the form stored in `config.companion.sizes[entity]`. */
  sizes(): CompanionSizes;
  /** Function-preserving widening of one hidden layer to `newUnits`. */
  widen(layerName: string, newUnits: number, seed: number): SizeChange;
  /**
   * Removes hidden units whose incoming + outgoing weight L1 is <= threshold (criterion 'sum',
   * the default), or whose incoming or outgoing L1 alone is (criterion 'either').
   */
  prune(threshold: number, options?: PruneOptions): SizeChange;
  /** Inserts an identity-initialized hidden layer after hidden layer `after` (default: the last). */
  addLayer(options?: { readonly after?: number }): SizeChange;
}
