import type { ExampleBuilder, ExampleSet } from '../data/ExampleBuilder.ts';
import { rocAuc } from '../metrics/auc.ts';
import { logLoss } from '../metrics/logloss.ts';
import type { SynthModel } from '../model/SynthModel.ts';

export interface ExampleScores {
  /** Probabilities (binary) or predicted values (regression), in example order. */
  readonly predictions: Float32Array;
  readonly labels: Float32Array;
}

export interface ExampleMetrics {
  /** Log loss (binary) or mean squared error (regression): lower is better. */
  readonly loss: number;
  /** ROC-AUC for binary tasks. */
  readonly auc?: number;
  readonly rmse?: number;
}

/** Scores every example in inference mode (no dropout), in batches. */
export function scoreExamples(model: SynthModel, builder: ExampleBuilder, set: ExampleSet, batchSize = 2048): ExampleScores {
  const predictions = new Float32Array(set.examples.length);
  const labels = new Float32Array(set.examples.length);
  let offset = 0;
  for (const batch of builder.batches(set, { batchSize, shuffle: false })) {
    const prediction = model.predict(batch);
    predictions.set(prediction.dataSync(), offset);
    prediction.dispose();
    if (batch.label) labels.set(batch.label, offset);
    offset += batch.size;
  }
  return { predictions, labels };
}

export function metricsOf(task: 'binary' | 'regression', scores: ExampleScores): ExampleMetrics {
  if (task === 'binary') {
    return { loss: logLoss(scores.predictions, scores.labels), auc: rocAuc(scores.predictions, scores.labels) };
  }
  let squared = 0;
  for (let i = 0; i < scores.labels.length; i++) squared += (scores.predictions[i]! - scores.labels[i]!) ** 2;
  const mse = squared / Math.max(1, scores.labels.length);
  return { loss: mse, rmse: Math.sqrt(mse) };
}

export function evaluateExamples(model: SynthModel, builder: ExampleBuilder, set: ExampleSet): ExampleMetrics {
  return metricsOf(model.task, scoreExamples(model, builder, set));
}

