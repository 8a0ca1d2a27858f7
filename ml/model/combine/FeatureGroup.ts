/**
 * Feature groups: the units the combination module weighs. Original groups come from the event
 * (user ID embedding, item ID embedding, aggregates projection); synthetic groups from the
 * companions (user synthetic, item synthetic) and the on-demand user x item interaction.
 */
import type * as tf from '@tensorflow/tfjs';

export type GroupKind = 'original' | 'synthetic';

export interface GroupSpec {
  /** Stable group name, served with the per-group weights ("why" of a prediction). */
  readonly name: string;
  readonly kind: GroupKind;
  readonly dim: number;
}

export interface FeatureGroup extends GroupSpec {
  /** [B, dim] */
  readonly value: tf.Tensor2D;
}

/** Throws unless `groups` match `specs` (same names, order and widths). */
export function checkGroups(specs: readonly GroupSpec[], groups: readonly FeatureGroup[], where: string): void {
  const expected = specs.map((s) => `${s.name}[${s.dim}]`).join(', ');
  const actual = groups.map((g) => `${g.name}[${g.value.shape[1]}]`).join(', ');
  if (expected !== actual) throw new Error(`${where}: expected feature groups ${expected}, got ${actual}`);
}
