/**
 * Widening and pruning over a companion's resizable layers (the MLP's hidden layers, the
 * transformer's feed-forward layers): the bookkeeping both companions share around the Net2Net
 * operations of net2net.ts, producing the SizeChange records kept in lineage.
 */
import type { Params } from '../Params.ts';
import type { PruneOptions, SizeChange } from './Companion.ts';
import { pruneUnits, type UnitBlock, widenUnits } from './net2net.ts';

export interface ResizableLayers {
  readonly params: Params;
  /** Prefix of the owning companion, for messages. */
  readonly owner: string;
  /** Layer names, in order. */
  readonly names: readonly string[];
  /** Units per layer; updated in place by widen and prune. */
  readonly units: number[];
  block(index: number): UnitBlock;
  parameterCount(): number;
}

export function layerIndex(layers: ResizableLayers, layerName: string): number {
  const index = layers.names.indexOf(layerName);
  if (index < 0) {
    const names = layers.names.map((name) => `"${name}"`).join(', ') || '(none)';
    throw new Error(`${layers.owner}: unknown hidden layer "${layerName}", expected one of ${names}`);
  }
  return index;
}

/** Function-preserving widening of one layer to `newUnits`. */
export function widenLayer(layers: ResizableLayers, layerName: string, newUnits: number, seed: number): SizeChange {
  const index = layerIndex(layers, layerName);
  const before = layers.parameterCount();
  const from = layers.units[index]!;
  const copiedUnits = widenUnits(layers.params, layers.block(index), newUnits, seed);
  layers.units[index] = newUnits;
  return {
    kind: 'widen',
    layer: layerName,
    from,
    to: newUnits,
    seed,
    copiedUnits,
    parametersBefore: before,
    parametersAfter: layers.parameterCount(),
    functionPreserving: true,
  };
}

/** Removes, in every layer, the units whose weights' L1 is at most `threshold`. */
export function pruneLayers(layers: ResizableLayers, threshold: number, options: PruneOptions = {}): SizeChange {
  const criterion = options.criterion ?? 'sum';
  if (!(threshold >= 0)) throw new Error(`prune: expected a threshold >= 0, got ${threshold}`);
  const before = layers.parameterCount();
  const changed: { layer: string; from: number; to: number; removedUnits: number[] }[] = [];
  let exact = true;
  layers.names.forEach((layer, index) => {
    const result = pruneUnits(layers.params, layers.block(index), threshold, criterion);
    layers.units[index] = result.from - result.removed.length;
    exact &&= result.exact;
    changed.push({ layer, from: result.from, to: layers.units[index]!, removedUnits: result.removed });
  });
  return {
    kind: 'prune',
    threshold,
    criterion,
    layers: changed,
    parametersBefore: before,
    parametersAfter: layers.parameterCount(),
    functionPreserving: exact,
  };
}
