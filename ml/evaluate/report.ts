/**
 * The evaluation report (`synthstore evaluate --json`, bench/results/*.json): per variant the
 * mean over seeds of every metric and its sample standard deviation as `<metric>_sd`; null
 * where a metric does not apply to the protocol. Also renders a Markdown table.
 */
import { meanSd } from './stats.ts';
import type { VariantFamily } from './variants.ts';

/** Metrics of one seed; null = not measured by this protocol. */
export interface SeedMetrics {
  readonly cold_auc: number | null;
  readonly warm_a_auc: number | null;
  readonly warm_b_auc: number | null;
  readonly warm_c_auc: number | null;
  readonly warm_auc: number | null;
  readonly logloss: number | null;
  readonly ndcg10: number | null;
  readonly recall20: number | null;
  readonly ndcg20: number | null;
  readonly train_seconds: number;
  /** Epochs trained (neural variants) and the epoch early stopping kept. */
  readonly epochs: number | null;
  readonly best_epoch: number | null;
  /** Neural variants: validation loss (training-side rows, incl. simulated cold) of the kept epoch. */
  readonly validation_loss: number | null;
  /** Neural variants: AUC on the cold half of the validation set (for model selection). */
  readonly validation_cold_auc: number | null;
}

export const METRICS = [
  'cold_auc',
  'warm_a_auc',
  'warm_b_auc',
  'warm_c_auc',
  'warm_auc',
  'logloss',
  'ndcg10',
  'recall20',
  'ndcg20',
  'train_seconds',
  'epochs',
  'best_epoch',
  'validation_loss',
  'validation_cold_auc',
] as const satisfies readonly (keyof SeedMetrics)[];
export type MetricName = (typeof METRICS)[number];

export type VariantReport = {
  readonly name: string;
  readonly family: VariantFamily;
  readonly description: string;
  readonly seeds: number;
  readonly per_seed: readonly (SeedMetrics & { readonly seed: number })[];
} & { readonly [M in MetricName]: number | null } & { readonly [M in MetricName as `${M}_sd`]: number | null };

export interface TargetCheck {
  readonly name: string;
  readonly met: boolean | null;
  readonly detail: string;
}

export interface EvaluationReport {
  readonly protocol: string;
  readonly dataset: string;
  readonly started_at: string;
  readonly wall_seconds: number;
  readonly settings: Readonly<Record<string, unknown>>;
  /** Sizes of the split's parts. */
  readonly split: Readonly<Record<string, number>>;
  readonly variants: readonly VariantReport[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
}

export function summarizeVariant(
  variant: { readonly name: string; readonly family: VariantFamily; readonly description: string },
  perSeed: readonly (SeedMetrics & { readonly seed: number })[],
): VariantReport {
  const summary: Record<string, number | null> = {};
  for (const metric of METRICS) {
    const { mean, sd } = meanSd(perSeed.map((run) => run[metric]));
    summary[metric] = mean;
    summary[`${metric}_sd`] = sd;
  }
  return { name: variant.name, family: variant.family, description: variant.description, seeds: perSeed.length, per_seed: perSeed, ...summary } as VariantReport;
}

/** Columns shown in tables: only metrics some variant has. */
function shownMetrics(report: EvaluationReport): MetricName[] {
  const shown: MetricName[] = ['cold_auc', 'warm_a_auc', 'warm_b_auc', 'warm_c_auc', 'warm_auc', 'logloss', 'ndcg10', 'recall20', 'ndcg20', 'train_seconds'];
  return shown.filter((metric) => report.variants.some((variant) => variant[metric] !== null));
}

function cell(mean: number | null, sd: number | null, metric: MetricName): string {
  if (mean === null) return '-';
  const digits = metric === 'train_seconds' ? 0 : 4;
  return sd === null || sd === 0 ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

/** A Markdown table of the report (mean ± sd over seeds), with the target checks below. */
export function formatReportTable(report: EvaluationReport): string {
  const metrics = shownMetrics(report);
  const lines = [
    `### ${report.dataset}: ${report.protocol}`,
    '',
    `| variant | family | seeds | ${metrics.join(' | ')} |`,
    `|---|---|---|${metrics.map(() => '---').join('|')}|`,
    ...report.variants.map(
      (variant) =>
        `| ${variant.name} | ${variant.family} | ${variant.seeds} | ${metrics.map((metric) => cell(variant[metric], variant[`${metric}_sd`], metric)).join(' | ')} |`,
    ),
    '',
    ...report.targets.map((target) => `- target ${target.name}: ${target.met === null ? 'not measured' : target.met ? 'MET' : 'NOT met'} (${target.detail})`),
  ];
  return lines.join('\n');
}
