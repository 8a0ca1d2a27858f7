/**
 * `synthstore train`: trains a model on everything the store holds and registers it as a model
 * version with its lineage: data snapshot -> training run -> model version. The last
 * `validationShare` of events (by time) validate: early stopping and growth watch them, and the
 * same rows with the item (or user) shown as cold measure how well the model serves cold start.
 */
import { z } from 'zod';
import type { Prisma } from '../../store/generated/prisma/client.ts';
import type { Database } from '../../store/db/Database.ts';
import { takeDataSnapshot } from '../../store/registry/dataSnapshots.ts';
import { finishTrainingRun, recordTrainingProgress, startTrainingRun, type EpochLog } from '../../store/registry/trainingRuns.ts';
import type { Interaction } from '../data/aggregates.ts';
import type { ExampleSet } from '../data/ExampleBuilder.ts';
import { createModel } from '../model/createModel.ts';
import { parseModelConfig } from '../model/ModelConfig.ts';
import { asCold, FeaturePipeline, type ExampleRow } from '../pipeline/FeaturePipeline.ts';
import { evaluateExamples, type ExampleMetrics } from '../train/evaluateExamples.ts';
import { parseTrainConfig } from '../train/TrainConfig.ts';
import { trainModel, type EpochRecord, type SizeChangeRecord, type TrainHooks } from '../train/trainModel.ts';
import { loadStoreData } from './loadStoreData.ts';
import { registerTrainedModel } from './modelArtifacts.ts';
import { DEFAULT_TARGET, labelEvents, negativeSamplesFor, sampleNegativeGroups, sampleNegatives, TargetSchema } from './TrainingTarget.ts';

export const TrainOnStoreConfigSchema = z.strictObject({
  /** The model name its versions are registered under. */
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/).default('synthstore'),
  /** A ModelConfig (see ml/model/ModelConfig.ts); its task follows the target. */
  model: z.record(z.string(), z.unknown()).default({}),
  /** A TrainConfig (see ml/train/TrainConfig.ts). */
  training: z.record(z.string(), z.unknown()).default({}),
  target: TargetSchema.default(DEFAULT_TARGET),
  validationShare: z.number().min(0.01).max(0.5).default(0.1),
  /** EntityEncoder options per entity type, e.g. {"item": {"excludeFields": ["imdb_url"]}}. */
  encoders: z.strictObject({ user: z.record(z.string(), z.unknown()).optional(), item: z.record(z.string(), z.unknown()).optional() }).prefault({}),
});
export type TrainOnStoreConfig = z.infer<typeof TrainOnStoreConfigSchema>;

export class TrainingDataError extends Error {
  override name = 'TrainingDataError';
}

export interface TrainOnStoreResult {
  readonly modelName: string;
  readonly modelVersion: number;
  readonly modelVersionId: number;
  readonly trainingRunId: number;
  readonly dataSnapshotId: number;
  readonly examples: { readonly train: number; readonly validation: number };
  readonly validation: ExampleMetrics;
  readonly coldItemValidation: ExampleMetrics;
  readonly coldUserValidation: ExampleMetrics;
  readonly epochs: readonly EpochRecord[];
  readonly sizeChanges: readonly SizeChangeRecord[];
  readonly bestEpoch: number;
  readonly seconds: number;
}

const MIN_EVENTS = 20;

/**
 * Training rows for a ranking loss (training.ranking): each positive followed by its sampled
 * negatives. Explicit negative events are not in these rows (a ranking loss compares a positive
 * with the negatives drawn for it); they still validate.
 */
function rankingRows(trainEvents: readonly Interaction[], labelled: readonly Interaction[], trainItems: readonly string[], negatives: number, seed: number): ExampleRow[] {
  if (negatives < 1) {
    throw new TrainingDataError('training.ranking needs sampled negatives: a binary target on events without negatives (implicit feedback), or target.negativeSamples >= 1');
  }
  const groups = sampleNegativeGroups(trainEvents, labelled, trainItems, negatives, seed);
  if (groups.length === 0) throw new TrainingDataError('training.ranking: no training event is a positive with items left to sample negatives from');
  return groups.flat().map((event) => ({ ...event, label: event.value }));
}
const DEFAULT_ID_DROPOUT = { user: 0.2, item: 0.2 };

export async function trainOnStore(db: Database, input: unknown, options: { backend: string; hooks?: TrainHooks } ): Promise<TrainOnStoreResult> {
  const config = TrainOnStoreConfigSchema.parse(input ?? {});
  // Cold start is the point: hide IDs and behaviour of a share of examples unless told otherwise.
  const training = parseTrainConfig({ dropout: DEFAULT_ID_DROPOUT, ...config.training });
  const modelConfig = parseModelConfig({ ...config.model, task: config.target.task });
  const snapshot = await takeDataSnapshot(db);
  const data = await loadStoreData(db, { until: snapshot.eventWatermark ?? undefined });

  const labelled = labelEvents(data.events, config.target);
  if (labelled.length < MIN_EVENTS) {
    throw new TrainingDataError(`the store holds ${labelled.length} events usable for a ${config.target.task} target; training needs at least ${MIN_EVENTS}`);
  }
  const cut = Math.floor(labelled.length * (1 - config.validationShare));
  const trainEvents = labelled.slice(0, cut);
  const validationEvents = labelled.slice(cut);
  const negatives = negativeSamplesFor(config.target, labelled);
  const trainItems = [...new Set(trainEvents.map((event) => event.itemId))];
  const positiveThreshold = config.target.task === 'binary' ? 1 : 4;

  const pipeline = new FeaturePipeline({
    fields: data.fields,
    modalities: data.modalities,
    users: data.users,
    items: data.items,
    trainEvents,
    positiveThreshold,
    label: (event) => event.value,
    ...(config.encoders.user ? { userEncoder: config.encoders.user } : {}),
    ...(config.encoders.item ? { itemEncoder: config.encoders.item } : {}),
  });
  const rows = (events: readonly Interaction[], seed: number): ExampleRow[] =>
    [...events, ...sampleNegatives(events, labelled, trainItems, negatives, seed)].map((event) => ({ ...event, label: event.value }));
  const trainRows = training.ranking.loss === 'none' ? rows(trainEvents, training.seed) : rankingRows(trainEvents, labelled, trainItems, negatives, training.seed);
  const validationRows = rows(validationEvents, training.seed + 1);
  const train: ExampleSet = {
    ...pipeline.examples(trainRows, trainEvents),
    ...(training.ranking.loss === 'none' ? {} : { groupSize: 1 + negatives }),
  };
  const validation = pipeline.examples(validationRows, labelled);
  const coldItems = pipeline.examples(validationRows.map((row) => asCold(row, 'item')), labelled);
  const coldUsers = pipeline.examples(validationRows.map((row) => asCold(row, 'user')), labelled);
  const builder = pipeline.builder('train');

  const runId = await startTrainingRun(db, {
    config: { ...config, model: modelConfig, training } as unknown as Prisma.InputJsonValue,
    seed: training.seed,
    backend: options.backend,
    dataSnapshotId: snapshot.id,
  });
  const epochLogs: EpochLog[] = [];
  const changes: SizeChangeRecord[] = [];
  try {
    const result = await trainModel(createModel(modelConfig, pipeline.schemas()), { builder, train, validation }, training, {
      ...options.hooks,
      async onEpoch(record, sizeChanges) {
        epochLogs.push(toEpochLog(record));
        changes.push(...sizeChanges);
        await recordTrainingProgress(db, runId, epochLogs, changes as never);
        await options.hooks?.onEpoch?.(record, sizeChanges);
      },
    });
    try {
      const metrics = {
        validation: evaluateExamples(result.model, builder, validation),
        coldItemValidation: evaluateExamples(result.model, builder, coldItems),
        coldUserValidation: evaluateExamples(result.model, builder, coldUsers),
      };
      const stored = await registerTrainedModel(db, {
        name: config.name,
        model: result.model,
        features: {
          userEncoder: pipeline.userEncoder,
          itemEncoder: pipeline.itemEncoder,
          userIds: pipeline.trainUserIds,
          itemIds: pipeline.trainItemIds,
          aggregateStandardizer: pipeline.aggregateStandardizer,
          positiveThreshold,
          target: config.target,
        },
        metrics: { ...metrics, bestEpoch: result.bestEpoch } as unknown as Prisma.InputJsonValue,
        trainingRunId: runId,
      });
      await finishTrainingRun(db, runId, { status: 'succeeded', metrics: metrics as unknown as Prisma.InputJsonValue });
      return {
        modelName: stored.name,
        modelVersion: stored.version,
        modelVersionId: stored.id,
        trainingRunId: runId,
        dataSnapshotId: snapshot.id,
        examples: { train: count(train), validation: count(validation) },
        ...metrics,
        epochs: result.epochs,
        sizeChanges: result.sizeChanges,
        bestEpoch: result.bestEpoch,
        seconds: result.seconds,
      };
    } finally {
      result.model.dispose();
    }
  } catch (error) {
    await finishTrainingRun(db, runId, { status: 'failed', error: (error as Error).message });
    throw error;
  }
}

function count(set: ExampleSet): number {
  return set.examples.length;
}

function toEpochLog(record: EpochRecord): EpochLog {
  return {
    epoch: record.epoch,
    trainLoss: record.trainLoss,
    ...(record.validation ? { validationLoss: record.validation.loss } : {}),
    ...(record.validation?.auc !== undefined ? { validationAuc: record.validation.auc } : {}),
    learningRate: record.learningRate,
    syntheticMagnitude: record.syntheticMagnitude,
    parameters: record.parameters,
    seconds: record.seconds,
    examplesPerSecond: record.examplesPerSecond,
  };
}
