/**
 * A trained model as the store keeps it: the network (config, schemas, weights) together with
 * everything needed to turn store rows into its inputs exactly as in training (entity encoders,
 * ID vocabularies, the aggregate standardizer, the target). Loading gives identical predictions.
 */
import type { Prisma } from '../../store/generated/prisma/client.ts';
import type { Database } from '../../store/db/Database.ts';
import { loadModelVersion, registerModelVersion, type StoredModelVersion } from '../../store/registry/modelVersions.ts';
import { EntityTable, type IdentifiedEntity } from '../data/EntityTable.ts';
import { ExampleBuilder } from '../data/ExampleBuilder.ts';
import { EntityEncoder, type EntityEncoderJSON } from '../features/EntityEncoder.ts';
import { Standardizer, type StandardizerJSON } from '../features/Standardizer.ts';
import { Vocabulary, type VocabularyJSON } from '../features/Vocabulary.ts';
import { loadModel, saveModel, type SavedModel } from '../model/serialize.ts';
import type { SynthModel } from '../model/SynthModel.ts';
import type { Target } from './TrainingTarget.ts';

const FORMAT = 'synthstore.trained-model';
const FORMAT_VERSION = 1;

/** The fitted data side of a trained model. */
export interface TrainedFeatures {
  readonly userEncoder: EntityEncoder;
  readonly itemEncoder: EntityEncoder;
  readonly userIds: Vocabulary;
  readonly itemIds: Vocabulary;
  readonly aggregateStandardizer: Standardizer;
  readonly positiveThreshold: number;
  readonly target: Target;
}

interface ArtifactsJSON {
  readonly format: typeof FORMAT;
  readonly formatVersion: number;
  readonly model: Omit<SavedModel, 'weights' | 'config'>;
  readonly features: {
    readonly userEncoder: EntityEncoderJSON;
    readonly itemEncoder: EntityEncoderJSON;
    readonly userIds: VocabularyJSON;
    readonly itemIds: VocabularyJSON;
    readonly aggregateStandardizer: StandardizerJSON;
    readonly positiveThreshold: number;
    readonly target: Target;
  };
}

export interface LoadedModel {
  readonly model: SynthModel;
  readonly features: TrainedFeatures;
  readonly version: StoredModelVersion;
}

/** Stores the model as the next version of `name`, linked to its training run. */
export async function registerTrainedModel(
  db: Database,
  entry: { name: string; model: SynthModel; features: TrainedFeatures; metrics: Prisma.InputJsonValue; trainingRunId: number },
): Promise<StoredModelVersion> {
  const { weights, config, ...model } = await saveModel(entry.model);
  const { features } = entry;
  const artifacts: ArtifactsJSON = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    model,
    features: {
      userEncoder: features.userEncoder.toJSON(),
      itemEncoder: features.itemEncoder.toJSON(),
      userIds: features.userIds.toJSON(),
      itemIds: features.itemIds.toJSON(),
      aggregateStandardizer: features.aggregateStandardizer.toJSON(),
      positiveThreshold: features.positiveThreshold,
      target: features.target,
    },
  };
  return registerModelVersion(db, {
    name: entry.name,
    config: config as unknown as Prisma.InputJsonValue,
    artifacts: artifacts as unknown as Prisma.InputJsonValue,
    weights,
    metrics: entry.metrics,
    trainingRunId: entry.trainingRunId,
  });
}

/** Loads a stored model version (the latest when `version` is absent) ready to score. */
export async function loadTrainedModel(db: Database, name: string, version?: number): Promise<LoadedModel> {
  const stored = await loadModelVersion(db, name, version);
  const artifacts = stored.artifacts as unknown as ArtifactsJSON;
  if (artifacts.format !== FORMAT || artifacts.formatVersion !== FORMAT_VERSION) {
    throw new Error(`model ${name} version ${stored.version} has artifacts of format ${artifacts.format}@${artifacts.formatVersion}, expected ${FORMAT}@${FORMAT_VERSION}`);
  }
  const model = loadModel({ ...artifacts.model, config: stored.config as never, weights: stored.weights });
  const json = artifacts.features;
  const features: TrainedFeatures = {
    userEncoder: EntityEncoder.fromJSON(json.userEncoder),
    itemEncoder: EntityEncoder.fromJSON(json.itemEncoder),
    userIds: Vocabulary.fromJSON(json.userIds),
    itemIds: Vocabulary.fromJSON(json.itemIds),
    aggregateStandardizer: Standardizer.fromJSON(json.aggregateStandardizer),
    positiveThreshold: json.positiveThreshold,
    target: json.target,
  };
  return { model, features, version: stored };
}

/** An ExampleBuilder that encodes `users` and `items` exactly as the model was trained to read them. */
export function exampleBuilderFor(features: TrainedFeatures, users: readonly IdentifiedEntity[], items: readonly IdentifiedEntity[]): ExampleBuilder {
  return new ExampleBuilder({
    users: EntityTable.encode(features.userEncoder, users),
    items: EntityTable.encode(features.itemEncoder, items),
    userIds: features.userIds,
    itemIds: features.itemIds,
    aggregateStandardizer: features.aggregateStandardizer,
  });
}
