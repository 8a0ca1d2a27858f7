/**
 * How an evaluation run trains and scores: one object for every protocol, with a full preset
 * and a --quick preset (fewer epochs, fewer ranking users) for 2-core machines and tests.
 */
import { RANKING_LOSSES, type RankingLossKind } from '../model/rankingLoss.ts';

export interface EvaluationSettings {
  /** One run per seed: model initialization, batch order and dropout draws. Splits stay fixed. */
  readonly seeds: readonly number[];
  /** Maximum epochs of the initial training (early stopping on validation may end sooner). */
  readonly epochs: number;
  /** Epochs of the warm-phase update ("update on that phase only"). */
  readonly updateEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Early-stopping patience (validation evaluations without improvement). */
  readonly patience: number;
  /** ID dropout of the DropoutNet-style variants: the evaluated cold side, and the other side. */
  readonly dropout: { readonly cold: number; readonly other: number };
  /** Share of training events held out for validation (early stopping), from training data only. */
  readonly validationShare: number;
  /**
   * How the validation set simulates cold entities (AUC protocols): 'alias' scores the held-out
   * events a second time with the cold side as a cold alias (same content as a training
   * entity); 'entities' also holds out a seeded `validationShare` of the cold side's training
   * entities entirely (all their events), which are then genuinely unseen: only this detects a
   * companion that memorizes the content of the few training items.
   */
  readonly validation: 'alias' | 'entities';
  /** Share of hot items' events held out as the warm test (never trained on). */
  readonly warmTestShare: number;
  /** Ranking protocol: users evaluated (a seeded sample of those with held-out items; 0 = all). */
  readonly rankingUsers: number;
  /** Ranking protocol: sampled negatives per positive training event. */
  readonly negatives: number;
  /**
   * Ranking protocol: the ranking loss every neural variant trains with beside its pointwise
   * loss, over each training save and its sampled negatives (ml/model/rankingLoss.ts).
   */
  readonly rankingLoss: RankingLossKind;
  /** Logistic-regression baseline epochs (initial and per warm phase). */
  readonly logisticEpochs: number;
}

export const FULL_SETTINGS: EvaluationSettings = {
  seeds: [1, 2, 3],
  epochs: 12,
  updateEpochs: 3,
  batchSize: 512,
  learningRate: 0.003,
  patience: 2,
  dropout: { cold: 0.5, other: 0.1 },
  validationShare: 0.1,
  validation: 'alias',
  warmTestShare: 0.1,
  rankingUsers: 1000,
  negatives: 2,
  rankingLoss: 'none',
  logisticEpochs: 5,
};

export const QUICK_SETTINGS: EvaluationSettings = {
  ...FULL_SETTINGS,
  seeds: [1],
  epochs: 3,
  updateEpochs: 1,
  rankingUsers: 300,
  negatives: 1,
};

export function resolveSettings(quick: boolean, overrides: Partial<EvaluationSettings> = {}): EvaluationSettings {
  const settings = { ...(quick ? QUICK_SETTINGS : FULL_SETTINGS), ...overrides };
  if (settings.seeds.length === 0) throw new RangeError('at least one seed is needed');
  for (const [name, value] of Object.entries({ epochs: settings.epochs, batchSize: settings.batchSize })) {
    if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (!(Number.isInteger(settings.negatives) && settings.negatives >= 0)) throw new RangeError(`negatives must be an integer >= 0, got ${settings.negatives}`);
  if (!RANKING_LOSSES.includes(settings.rankingLoss)) throw new RangeError(`rankingLoss: expected one of ${RANKING_LOSSES.join(', ')}, got "${settings.rankingLoss}"`);
  if (settings.rankingLoss !== 'none' && settings.negatives < 1) throw new RangeError(`rankingLoss ${settings.rankingLoss} needs at least one sampled negative per positive`);
  return settings;
}
