/**
 * The training loop of DESIGN.md section 1, corrected: the loss is computed on
 * primary(combine(original, companion(non-event data))), so the companions learn. Around it:
 * original-feature dropout (in the batches), the adaptive learning rate driven by the
 * synthetic features' magnitude, dynamic companion size on validation plateaus, pruning of
 * units L1 drove to zero, and early stopping that restores the best model.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExampleBuilder, ExampleSet } from '../data/ExampleBuilder.ts';
import { loadModel, saveModel, type SavedModel } from '../model/serialize.ts';
import type { ModelSizeChange, SynthModel } from '../model/SynthModel.ts';
import { disposeBatchTensors } from '../model/tensors.ts';
import { AdaptiveLearningRate } from './AdaptiveLearningRate.ts';
import { evaluateExamples, type ExampleMetrics } from './evaluateExamples.ts';
import { PlateauDetector } from './PlateauDetector.ts';
import { pruneCompanions, widenCompanions } from './resizeCompanions.ts';
import type { TrainConfig } from './TrainConfig.ts';

export interface TrainData {
  readonly builder: ExampleBuilder;
  readonly train: ExampleSet;
  /** Drives early stopping and growth; without it the last epoch's model is kept. */
  readonly validation?: ExampleSet;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validation?: ExampleMetrics;
  readonly learningRate: number;
  readonly syntheticMagnitude: number;
  readonly parameters: number;
  readonly seconds: number;
  readonly examplesPerSecond: number;
}

export type SizeChangeRecord = ModelSizeChange & { readonly epoch: number };

export interface TrainHooks {
  onBatch?(progress: { epoch: number; epochs: number; batch: number; batches: number; loss: number }): void;
  onEpoch?(record: EpochRecord, sizeChanges: readonly SizeChangeRecord[]): void | Promise<void>;
}

export interface TrainResult {
  /** The best model by validation loss (a new instance when an earlier epoch was best). */
  readonly model: SynthModel;
  readonly epochs: readonly EpochRecord[];
  readonly sizeChanges: readonly SizeChangeRecord[];
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
}

export async function trainModel(initial: SynthModel, data: TrainData, config: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  const started = performance.now();
  let model = initial;
  let optimizer = tf.train.adam(config.learningRate);
  const schedule = new AdaptiveLearningRate({ baseRate: config.learningRate, ...config.adaptiveLearningRate });
  const earlyStop = new PlateauDetector(config.earlyStopping.patience, config.earlyStopping.minDelta);
  const growthPlateau = new PlateauDetector(config.growth.patience, config.earlyStopping.minDelta);
  const epochs: EpochRecord[] = [];
  const sizeChanges: SizeChangeRecord[] = [];
  let best: { epoch: number; saved: SavedModel } | undefined;
  let stoppedEarly = false;
  let widenings = 0;

  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const epochStart = performance.now();
      const { loss: trainLoss, examples } = runEpoch(model, optimizer, data, config, schedule, epoch, hooks);
      const validation = data.validation ? evaluateExamples(model, data.builder, data.validation) : undefined;
      const changes: SizeChangeRecord[] = [];

      if (validation) {
        if (earlyStop.update(validation.loss) || !best) best = { epoch, saved: await saveModel(model) };
        growthPlateau.update(validation.loss);
        if (config.growth.enabled && growthPlateau.onPlateau && widenings < config.growth.maxChanges) {
          changes.push(...widenCompanions(model, config.growth, config.seed + epoch).map((change) => ({ ...change, epoch })));
          if (changes.length > 0) widenings++;
          growthPlateau.reset();
          earlyStop.reset();
        }
      }
      if (config.growth.enabled) {
        changes.push(...pruneCompanions(model, config.growth.pruneThreshold).map((change) => ({ ...change, epoch })));
      }
      if (changes.length > 0) {
        // Resizing replaced variables; Adam's state is matched to variables by position.
        optimizer.dispose();
        optimizer = tf.train.adam(currentRate(config, schedule));
        sizeChanges.push(...changes);
      }

      const seconds = (performance.now() - epochStart) / 1000;
      const record: EpochRecord = {
        epoch,
        trainLoss,
        ...(validation ? { validation } : {}),
        learningRate: currentRate(config, schedule),
        syntheticMagnitude: schedule.magnitude ?? 0,
        parameters: model.countParameters(),
        seconds,
        examplesPerSecond: examples / seconds,
      };
      epochs.push(record);
      await hooks.onEpoch?.(record, changes);
      if (config.earlyStopping.enabled && earlyStop.onPlateau) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }

  const bestEpoch = best?.epoch ?? epochs.length;
  if (best && best.epoch !== epochs.length) {
    model.dispose();
    model = loadModel(best.saved);
  }
  return { model, epochs, sizeChanges, bestEpoch, stoppedEarly, seconds: (performance.now() - started) / 1000 };
}

/** One pass over the shuffled training set; returns the mean task+regularization loss. */
function runEpoch(
  model: SynthModel,
  optimizer: tf.AdamOptimizer,
  data: TrainData,
  config: TrainConfig,
  schedule: AdaptiveLearningRate,
  epoch: number,
  hooks: TrainHooks,
): { loss: number; examples: number } {
  const variables = model.trainableVariables();
  const batches = Math.ceil(data.train.examples.length / config.batchSize);
  let lossSum = 0;
  let examples = 0;
  let batchIndex = 0;
  for (const batch of data.builder.batches(data.train, {
    batchSize: config.batchSize,
    shuffle: true,
    seed: config.seed * 7919 + epoch,
    dropout: config.dropout,
  })) {
    const tensors = model.toTensors(batch);
    try {
      setLearningRate(optimizer, currentRate(config, schedule));
      const [loss, magnitude] = trainStep(model, optimizer, tensors, variables, config, epoch * 100_003 + batchIndex);
      schedule.observe(magnitude);
      lossSum += loss * batch.size;
      examples += batch.size;
    } finally {
      disposeBatchTensors(tensors);
    }
    batchIndex++;
    hooks.onBatch?.({ epoch, epochs: config.epochs, batch: batchIndex, batches, loss: lossSum / examples });
  }
  return { loss: lossSum / Math.max(1, examples), examples };
}

function trainStep(
  model: SynthModel,
  optimizer: tf.AdamOptimizer,
  tensors: ReturnType<SynthModel['toTensors']>,
  variables: tf.Variable[],
  config: TrainConfig,
  stepSeed: number,
): [loss: number, magnitude: number] {
  const values = tf.tidy(() => {
    let magnitude: tf.Scalar | undefined;
    const { value, grads } = optimizer.computeGradients(() => {
      const result = model.loss(tensors, { training: true, seed: config.seed + stepSeed }, config.ranking);
      magnitude = tf.keep(result.synthMeanAbs);
      return result.total;
    }, variables);
    optimizer.applyGradients(grads as tf.NamedTensorMap as Parameters<typeof optimizer.applyGradients>[0]);
    if (config.weightDecay > 0) decayWeights(variables, config.weightDecay * (optimizer as unknown as { learningRate: number }).learningRate);
    const both = tf.stack([value, magnitude!]);
    // Kept to escape computeGradients' scope: free it here, the tidy would not.
    magnitude!.dispose();
    return both;
  });
  const [loss, magnitude] = values.dataSync();
  values.dispose();
  return [loss!, magnitude!];
}

/** Decoupled weight decay (AdamW): w <- w * (1 - rate). */
function decayWeights(variables: readonly tf.Variable[], rate: number): void {
  for (const variable of variables) {
    if (variable.shape.length >= 2) variable.assign(tf.mul(variable, 1 - rate));
  }
}

function currentRate(config: TrainConfig, schedule: AdaptiveLearningRate): number {
  return config.adaptiveLearningRate.enabled ? schedule.rate : config.learningRate;
}

/** tfjs reads Adam's rate on every step but does not expose a setter in its types. */
function setLearningRate(optimizer: tf.AdamOptimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}
