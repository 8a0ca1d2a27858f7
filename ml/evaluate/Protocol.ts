/**
 * An evaluation protocol, prepared once from store data (split, example sets, pipelines) and
 * then run per (variant, seed). Implementations: movielensProtocols.ts (ML-100K protocol A,
 * item cold start with warm phases, and its user cold-start variant) and
 * citeulikeProtocol.ts (strict item cold start, ranking).
 */
import type { SeedMetrics } from './report.ts';
import type { Variant } from './variants.ts';

export const PROTOCOL_NAMES = ['item-cold', 'user-cold', 'citeulike-cold', 'citeulike-cold-validation'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

export interface PreparedProtocol {
  readonly name: ProtocolName;
  /** AUC protocols run e-logistic-regression, ranking ones e-content-knn. */
  readonly kind: 'auc' | 'ranking';
  /** Sizes of the split's parts, for the report. */
  readonly split: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
  run(variant: Variant, seed: number): Promise<SeedMetrics>;
}

/** Metrics all null, to fill in. */
export function emptyMetrics(): { -readonly [K in keyof SeedMetrics]: SeedMetrics[K] } {
  return {
    cold_auc: null,
    warm_a_auc: null,
    warm_b_auc: null,
    warm_c_auc: null,
    warm_auc: null,
    logloss: null,
    ndcg10: null,
    recall20: null,
    ndcg20: null,
    train_seconds: 0,
    epochs: null,
    best_epoch: null,
    validation_loss: null,
    validation_cold_auc: null,
  };
}

/** NaN (e.g. an AUC over one class) becomes null in reports. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
