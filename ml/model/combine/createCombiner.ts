/** Builds the combination module selected by `config.combine.mode`. */
import type { ModelConfig } from '../ModelConfig.ts';
import type { ParamScope } from '../Params.ts';
import { AttentionCombiner } from './attention.ts';
import type { Combiner } from './Combiner.ts';
import { ConcatCombiner } from './concat.ts';
import type { GroupSpec } from './FeatureGroup.ts';
import { WeightedSumCombiner } from './weightedSum.ts';

export function createCombiner(config: ModelConfig, groups: readonly GroupSpec[], scope: ParamScope): Combiner {
  if (groups.length === 0) throw new Error('combiner: expected at least one feature group');
  const names = new Set(groups.map((g) => g.name));
  if (names.size !== groups.length) throw new Error(`combiner: duplicate feature group names in ${groups.map((g) => g.name).join(', ')}`);
  const mode: string = config.combine.mode;
  switch (config.combine.mode) {
    case 'weighted_sum':
      return new WeightedSumCombiner(scope, groups, config.combine.width);
    case 'concat':
      return new ConcatCombiner(scope, groups);
    case 'attention':
      return new AttentionCombiner(scope, groups, { width: config.combine.width, ...config.combine.attention });
    default:
      throw new Error(`combine.mode: expected one of "weighted_sum"|"concat"|"attention", got ${JSON.stringify(mode)}`);
  }
}
