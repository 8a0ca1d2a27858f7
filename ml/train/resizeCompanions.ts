import type { EntityType } from '../model/schemas.ts';
import type { ModelSizeChange, SynthModel } from '../model/SynthModel.ts';
import type { TrainConfig } from './TrainConfig.ts';

const ENTITIES: readonly EntityType[] = ['user', 'item'];

/**
 * Widens every hidden layer of both companions by the growth factor (function-preserving), up
 * to the configured maximum. Returns the changes made; none when every layer is at the maximum.
 */
export function widenCompanions(model: SynthModel, growth: TrainConfig['growth'], seed: number): ModelSizeChange[] {
  const changes: ModelSizeChange[] = [];
  for (const entity of ENTITIES) {
    for (const layer of model.companion(entity).hiddenLayers()) {
      const target = Math.min(growth.maxUnits, Math.ceil(layer.units * growth.factor));
      if (target > layer.units) changes.push(model.widen(entity, layer.name, target, seed + changes.length));
    }
  }
  return changes;
}

/** Prunes companion units that L1 regularization drove to ~0; returns only real removals. */
export function pruneCompanions(model: SynthModel, threshold: number): ModelSizeChange[] {
  if (threshold <= 0) return [];
  return ENTITIES.map((entity) => model.prune(entity, threshold)).filter(
    (change) => change.kind === 'prune' && change.layers.some((layer) => layer.removedUnits.length > 0),
  );
}
