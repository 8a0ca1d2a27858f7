/**
 * Trains one neural variant for one seed on a FeaturePipeline: builds the SynthModel from the
 * variant's config, trains it with validation-driven early stopping (validation comes from the
 * training data), and continues training on warm-phase rows ("update on that phase only").
 */
import type { ExampleBuilder, ExampleSet } from '../data/ExampleBuilder.ts';
import { createModel } from '../model/createModel.ts';
import type { ModelConfigInput } from '../model/ModelConfig.ts';
import type { RankingLossKind } from '../model/rankingLoss.ts';
import type { SynthModel } from '../model/SynthModel.ts';
import type { EntityType } from '../model/schemas.ts';
import { scoreExamples } from '../train/evaluateExamples.ts';
import { parseTrainConfig, type TrainConfig } from '../train/TrainConfig.ts';
import { trainModel } from '../train/trainModel.ts';
import type { FeaturePipeline } from '../pipeline/FeaturePipeline.ts';
import type { EvaluationSettings } from './settings.ts';
import type { Variant } from './variants.ts';

export type Progress = (message: string) => void;

export interface TrainedVariant {
  readonly model: SynthModel;
  readonly seconds: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly sizeChanges: number;
  readonly validationLoss: number | undefined;
}

/**
 * Protocol-level training adjustments (the same for every neural variant of a protocol): the
 * ranking protocol's ranking loss.
 */
export interface TrainOverrides {
  readonly ranking?: RankingLossKind;
}

/** The training config of a variant for a seed; `coldSide` gets the higher ID dropout. */
export function variantTrainConfig(variant: Variant, settings: EvaluationSettings, seed: number, coldSide: EntityType, overrides: TrainOverrides = {}): TrainConfig {
  const { cold, other } = settings.dropout;
  const dropout = variant.idDropout
    ? { user: coldSide === 'user' ? cold : other, item: coldSide === 'item' ? cold : other }
    : { user: 0, item: 0 };
  return parseTrainConfig({
    ...variant.train,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    seed,
    dropout,
    earlyStopping: { enabled: true, patience: settings.patience },
    ...(overrides.ranking === undefined || overrides.ranking === 'none' ? {} : { ranking: { ...variant.train?.ranking, loss: overrides.ranking } }),
  });
}

/** Protocol-level model adjustments (the same for every variant of a protocol). */
export interface ModelOverrides {
  /** Width of categorical / token embeddings and modality projections in the companions. */
  readonly embeddingDim?: number;
  /** Training: see TrainOverrides. */
  readonly train?: TrainOverrides;
}

export function variantModelConfig(variant: Variant, seed: number, overrides: ModelOverrides = {}): ModelConfigInput {
  const companion = { ...variant.model?.companion, ...(overrides.embeddingDim === undefined ? {} : { embeddingDim: overrides.embeddingDim }) };
  return { ...variant.model, companion, seed };
}

export async function trainNeuralVariant(
  variant: Variant,
  pipeline: FeaturePipeline,
  data: { readonly train: ExampleSet; readonly validation: ExampleSet },
  settings: EvaluationSettings,
  seed: number,
  coldSide: EntityType,
  progress: Progress,
  overrides: ModelOverrides = {},
): Promise<TrainedVariant> {
  const config = variantTrainConfig(variant, settings, seed, coldSide, overrides.train);
  const model = createModel(variantModelConfig(variant, seed, overrides), pipeline.schemas());
  let sizeChanges = 0;
  const result = await trainModel(model, { builder: pipeline.builder('train'), train: data.train, validation: data.validation }, config, {
    onEpoch(record, changes) {
      sizeChanges += changes.length;
      const validation = record.validation ? ` val loss ${record.validation.loss.toFixed(4)} auc ${record.validation.auc?.toFixed(4) ?? '-'}` : '';
      progress(
        `  ${variant.name} seed ${seed} epoch ${record.epoch}: train loss ${record.trainLoss.toFixed(4)}${validation}` +
          ` lr ${record.learningRate.toExponential(2)} ${Math.round(record.examplesPerSecond)} ex/s${changes.length ? ` (${changes.length} size changes)` : ''}`,
      );
    },
  });
  const best = result.epochs[result.bestEpoch - 1];
  return {
    model: result.model,
    seconds: result.seconds,
    epochs: result.epochs.length,
    bestEpoch: result.bestEpoch,
    sizeChanges,
    validationLoss: best?.validation?.loss,
  };
}

/**
 * Continues training on `rows` only, for `settings.updateEpochs` epochs, with the variant's
 * switches but without early stopping or growth (there is no validation for a warm phase).
 * Returns the same model instance, updated in place.
 */
export async function updateOnPhase(
  model: SynthModel,
  variant: Variant,
  builder: ExampleBuilder,
  rows: ExampleSet,
  settings: EvaluationSettings,
  seed: number,
  coldSide: EntityType,
): Promise<SynthModel> {
  const base = variantTrainConfig(variant, settings, seed, coldSide);
  const config = parseTrainConfig({
    ...base,
    epochs: settings.updateEpochs,
    earlyStopping: { ...base.earlyStopping, enabled: false },
    growth: { ...base.growth, enabled: false },
  });
  const result = await trainModel(model, { builder, train: rows }, config);
  return result.model;
}

/** Probabilities of every example, in order. */
export function predict(model: SynthModel, builder: ExampleBuilder, set: ExampleSet): Float32Array {
  return scoreExamples(model, builder, set).predictions;
}
