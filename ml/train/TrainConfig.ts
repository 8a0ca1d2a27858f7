import { z } from 'zod';
import { RANKING_LOSSES } from '../model/rankingLoss.ts';

/**
 * How a model is trained (the model's shape is ModelConfig). Every switch of DESIGN.md section
 * 1 that an ablation compares is here: original-feature dropout, the adaptive learning rate,
 * dynamic companion size, early stopping.
 */
export const TrainConfigSchema = z.strictObject({
  epochs: z.number().int().min(1).max(1000).default(20),
  batchSize: z.number().int().min(1).max(65536).default(512),
  learningRate: z.number().positive().max(1).default(0.003),
  /** Adam's L2 weight decay is not offered by tfjs; this decays every weight by rate * lr per step. */
  weightDecay: z.number().min(0).max(0.1).default(0),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  /** Original-feature dropout (DropoutNet): probability per example of hiding the user side / item side. */
  dropout: z.strictObject({ user: z.number().min(0).max(1).default(0), item: z.number().min(0).max(1).default(0) }).prefault({}),
  adaptiveLearningRate: z
    .strictObject({
      enabled: z.boolean().default(true),
      minFactor: z.number().positive().max(1).default(0.25),
      maxFactor: z.number().min(1).max(100).default(2),
      sensitivity: z.number().min(0).max(4).default(1),
      smoothing: z.number().positive().max(1).default(0.05),
    })
    .prefault({}),
  /**
   * A ranking loss (ml/model/rankingLoss.ts: bpr or sampled softmax) over groups of one
   * positive and its sampled negatives, beside the pointwise task loss: for ranking use, where
   * only the order of a user's candidates matters. Needs grouped training data
   * (ExampleSet.groupSize); the validation loss that drives early stopping stays pointwise.
   */
  ranking: z
    .strictObject({
      loss: z.enum(RANKING_LOSSES).default('none'),
      weight: z.number().min(0).default(1),
      pointwiseWeight: z.number().min(0).default(1),
    })
    .prefault({}),
  earlyStopping: z
    .strictObject({
      enabled: z.boolean().default(true),
      patience: z.number().int().min(1).default(3),
      minDelta: z.number().min(0).default(1e-3),
    })
    .prefault({}),
  growth: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Validation evaluations without improvement before the companions widen. */
      patience: z.number().int().min(1).default(2),
      /** New width = ceil(width * factor), up to maxUnits. */
      factor: z.number().min(1.05).max(4).default(1.5),
      maxUnits: z.number().int().min(1).default(512),
      /** How many widenings one run may make at most. */
      maxChanges: z.number().int().min(0).default(2),
      /** Units whose weights' L1 fell to this or below are pruned after each epoch (0 = never). */
      pruneThreshold: z.number().min(0).default(1e-3),
    })
    .prefault({}),
});

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

export function parseTrainConfig(input: unknown = {}): TrainConfig {
  const result = TrainConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`invalid training config:\n  ${issues.join('\n  ')}`);
}
