/** Public API of the model package. */
export { createModel } from './createModel.ts';
export { SynthModel, type ForwardResult, type LossResult, type Explanation, type ModelSizeChange, type SynthModelOptions } from './SynthModel.ts';
export {
  ModelConfigSchema,
  ModelConfigError,
  parseModelConfig,
  type ModelConfig,
  type ModelConfigInput,
  type CombineMode,
  type CompanionArchitecture,
} from './ModelConfig.ts';
export { Params, type ParamScope } from './Params.ts';
export { type ModelSchemas, type EntityType, ENTITY_TYPES, ModelInputError } from './schemas.ts';
export { type BatchTensors, type EntityTensors, toBatchTensors, toEntityTensors, disposeBatchTensors, disposeEntityTensors } from './tensors.ts';
export { type ForwardOptions } from './ops.ts';
export { type Companion, type SizeChange, type HiddenLayerInfo } from './companion/Companion.ts';
export { createCompanion } from './companion/createCompanion.ts';
export { type Combiner, type CombineResult } from './combine/Combiner.ts';
export { createCombiner } from './combine/createCombiner.ts';
export { type FeatureGroup, type GroupSpec, type GroupKind } from './combine/FeatureGroup.ts';
export { saveModel, loadModel, type SavedModel, SavedModelError, SAVED_MODEL_FORMAT } from './serialize.ts';
