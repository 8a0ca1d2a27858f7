/**
 * The model factory: validates the configuration (filling defaults; unknown keys and values are
 * rejected with what was expected) and the input schemas, then builds a SynthModel.
 */
import { parseModelConfig } from './ModelConfig.ts';
import type { ModelConfigInput } from './ModelConfig.ts';
import type { ModelSchemas } from './schemas.ts';
import { SynthModel, type SynthModelOptions } from './SynthModel.ts';

export function createModel(config: ModelConfigInput | undefined, schemas: ModelSchemas, options: SynthModelOptions = {}): SynthModel {
  return new SynthModel(parseModelConfig(config ?? {}), schemas, options);
}
