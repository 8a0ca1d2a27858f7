/**
 * Builds the companion network of one entity type from the model config, with the current
 * (possibly resized) sizes from `config.companion.sizes[entity]`.
 */
import type { EntityInputSchema } from '../../data/batch.ts';
import { type ModelConfig, mlpHiddenSizes, transformerFfWidths } from '../ModelConfig.ts';
import type { ParamScope } from '../Params.ts';
import type { EntityType } from '../schemas.ts';
import type { Companion } from './Companion.ts';
import { MlpCompanion, mlpCompanionOptions } from './mlpCompanion.ts';
import { TransformerCompanion, transformerCompanionOptions } from './transformerCompanion.ts';

export function createCompanion(config: ModelConfig, schema: EntityInputSchema, entity: EntityType, scope: ParamScope): Companion {
  const architecture: string = config.companion.architecture;
  switch (config.companion.architecture) {
    case 'mlp':
      return new MlpCompanion(scope, mlpCompanionOptions(config, schema, mlpHiddenSizes(config, entity)));
    case 'transformer':
      return new TransformerCompanion(scope, transformerCompanionOptions(config, schema, transformerFfWidths(config, entity)));
    default:
      throw new Error(`companion.architecture: expected one of "mlp"|"transformer", got ${JSON.stringify(architecture)}`);
  }
}
