/**
 * Saving and loading a model: `{ config, schemas, weightSpecs, weights }`. The config is the
 * model's current one (resized companion sizes included), the weights are the named variables
 * encoded with tf.io.encodeWeights (float32, little-endian, in the registry's fixed order).
 * `loadModel` rebuilds the model from config + schemas with those values instead of
 * initializers, and fails if any weight is missing, unexpected or of the wrong shape.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from './createModel.ts';
import type { ModelConfig } from './ModelConfig.ts';
import type { ModelSchemas } from './schemas.ts';
import type { SynthModel } from './SynthModel.ts';

export const SAVED_MODEL_FORMAT = 'synthstore.synth-model';
export const SAVED_MODEL_VERSION = 1;

export interface SavedModel {
  readonly format: typeof SAVED_MODEL_FORMAT;
  readonly formatVersion: number;
  readonly config: ModelConfig;
  readonly schemas: ModelSchemas;
  /** One entry per variable, in the model's fixed order. */
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weights: Uint8Array;
}

/** Thrown when a saved model cannot be loaded. */
export class SavedModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SavedModelError';
  }
}

export async function saveModel(model: SynthModel): Promise<SavedModel> {
  const named = model.namedVariables().map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  return {
    format: SAVED_MODEL_FORMAT,
    formatVersion: SAVED_MODEL_VERSION,
    config: model.getConfig(),
    schemas: structuredClone(model.schemas),
    weightSpecs: specs,
    weights: new Uint8Array(data),
  };
}

export function loadModel(saved: SavedModel): SynthModel {
  if (saved.format !== SAVED_MODEL_FORMAT) {
    throw new SavedModelError(`expected format "${SAVED_MODEL_FORMAT}", got ${JSON.stringify(saved.format)}`);
  }
  if (saved.formatVersion !== SAVED_MODEL_VERSION) {
    throw new SavedModelError(`expected formatVersion ${SAVED_MODEL_VERSION}, got ${saved.formatVersion}`);
  }
  const bytes = saved.weights;
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, saved.weightSpecs);
  const values = new Map(Object.entries(decoded));
  try {
    let model: SynthModel;
    try {
      model = createModel(saved.config, saved.schemas, { initialValues: values });
    } catch (error) {
      throw new SavedModelError(`cannot rebuild the saved model: ${(error as Error).message}`);
    }
    const names = new Set(model.params.names());
    const unexpected = [...values.keys()].filter((name) => !names.has(name));
    const missing = [...names].filter((name) => !values.has(name));
    if (unexpected.length > 0 || missing.length > 0) {
      model.dispose();
      throw new SavedModelError(
        `saved weights do not match the model built from the saved config: ` +
          `missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
      );
    }
    return model;
  } finally {
    tf.dispose([...values.values()]);
  }
}
