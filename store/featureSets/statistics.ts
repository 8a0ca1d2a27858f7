/**
 * Statistics of a version, computed at publish from its rows and stored with it
 * (feature_set_version.statistics).
 *
 * - numeric and boolean features (booleans as 0/1): mean, population std, min, max, null rate;
 * - categorical and text: null rate and number of distinct values; tags: null rate, mean length;
 * - the vector: null rate; mean, population std, min and max of the L2 norm; per-dimension means
 *   and population stds (from pgvector's avg of v and of v*v), summarized as min/mean/max over
 *   the dimensions, and the mean vector itself (up to 2,000 dimensions);
 * - synthesized sets: drift against the previous published version, the one "latest" served
 *   before this one (the highest published, not deprecated, version with a lower number):
 *   - meanCosineShift: the mean over entities present in both, with non-zero vectors, of
 *     1 - cosine(new vector, previous vector); null when the dimension changed;
 *   - centroidCosineShift: 1 - cosine of the two mean vectors;
 *   - psi: the population stability index of the vector NORM, over 10 bins whose edges are the
 *     previous version's deciles: sum over bins of (a - e) * ln(a / e), e and a the previous and
 *     new fractions, each floored at 1e-4 so that an empty bin stays finite. Rule of thumb:
 *     < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 large shift.
 * A null rate is the share of the version's rows where the feature is absent or null.
 */
import type { SqlClient } from '../db/Database.ts';
import { MAX_INDEXED_DIMENSION } from '../sql/modalities.ts';
import { readCosineAgreement, readNormBins, readValueAggregates, readVectorAggregate, type ValueAggregate } from '../sql/versionStatistics.ts';
import { readVersionRowLayout, type VersionRowLayout } from '../sql/versionRows.ts';
import { vectorFeature, type FeatureSetKind, type FeatureSpec, type VersionSchema } from './FeatureSetDefinition.ts';

export interface NumericStatistics {
  readonly type: 'numeric' | 'boolean';
  readonly count: number;
  readonly nullRate: number | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

export interface CategoricalStatistics {
  readonly type: 'categorical' | 'text';
  readonly count: number;
  readonly nullRate: number | null;
  readonly distinct: number;
}

export interface TagsStatistics {
  readonly type: 'tags';
  readonly count: number;
  readonly nullRate: number | null;
  readonly meanLength: number | null;
}

export interface Summary {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

export interface VectorStatistics {
  readonly type: 'vector';
  readonly dimension: number;
  readonly count: number;
  readonly nullRate: number | null;
  readonly meanNorm: number | null;
  readonly stdNorm: number | null;
  readonly minNorm: number | null;
  readonly maxNorm: number | null;
  /** Summary over the dimensions of each dimension's mean. */
  readonly dimensionMean: Summary | null;
  /** Summary over the dimensions of each dimension's population std. */
  readonly dimensionStd: Summary | null;
  readonly meanVector: number[] | null;
}

export type FeatureStatistics = NumericStatistics | CategoricalStatistics | TagsStatistics | VectorStatistics;

export interface DriftStatistics {
  readonly againstVersion: number;
  /** Entities with a non-zero vector in both versions. */
  readonly commonEntities: number;
  readonly meanCosineSimilarity: number | null;
  readonly meanCosineShift: number | null;
  readonly centroidCosineShift: number | null;
  readonly meanNormShift: number | null;
  readonly psi: { readonly basis: 'vector_norm'; readonly bins: 10; readonly value: number; readonly edges: number[]; readonly expected: number[]; readonly actual: number[] } | null;
}

export interface VersionStatistics {
  readonly rowCount: number;
  readonly features: Record<string, FeatureStatistics>;
  /** Synthesized sets only; null when there is no previous published version. */
  readonly drift?: DriftStatistics | null;
}

/** The version a new one is compared with. */
export interface PreviousVersion {
  readonly id: number;
  readonly version: number;
  readonly schema: VersionSchema;
  readonly statistics: VersionStatistics | null;
}

const PSI_FLOOR = 1e-4;

/** Computes a version's statistics (and drift for synthesized sets) with `sql`, e.g. inside the publish transaction. */
export async function computeVersionStatistics(
  sql: SqlClient,
  version: { readonly id: number; readonly schema: VersionSchema; readonly kind: FeatureSetKind },
  previous: PreviousVersion | null,
): Promise<VersionStatistics> {
  const rows = await readVersionRowLayout(sql, version.id);
  const { rowCount, byKey } = await readValueAggregates(sql, rows);
  const nullRate = (present: number): number | null => (rowCount === 0 ? null : (rowCount - present) / rowCount);
  const features: Record<string, FeatureStatistics> = {};
  let vectorStatistics: VectorStatistics | undefined;
  for (const feature of version.schema.features) {
    if (feature.type === 'vector') {
      vectorStatistics = await vectorStatisticsOf(sql, rows, feature, nullRate);
      features[feature.name] = vectorStatistics;
      continue;
    }
    features[feature.name] = valueStatistics(feature, byKey.get(feature.name), nullRate);
  }
  if (version.kind !== 'synthesized') return { rowCount, features };
  return { rowCount, features, drift: previous && vectorStatistics ? await driftAgainst(sql, rows, vectorStatistics, previous) : null };
}

function valueStatistics(
  feature: Exclude<FeatureSpec, { type: 'vector' }>,
  aggregate: ValueAggregate | undefined,
  nullRate: (present: number) => number | null,
): FeatureStatistics {
  const present = aggregate?.present ?? 0;
  switch (feature.type) {
    case 'numeric':
    case 'boolean':
      return { type: feature.type, count: present, nullRate: nullRate(present), mean: aggregate?.mean ?? null, std: aggregate?.std ?? null, min: aggregate?.min ?? null, max: aggregate?.max ?? null };
    case 'categorical':
    case 'text':
      return { type: feature.type, count: present, nullRate: nullRate(present), distinct: aggregate?.distinct ?? 0 };
    case 'tags':
      return { type: 'tags', count: present, nullRate: nullRate(present), meanLength: aggregate?.meanLength ?? null };
  }
}

async function vectorStatisticsOf(
  sql: SqlClient,
  rows: VersionRowLayout,
  feature: Extract<FeatureSpec, { type: 'vector' }>,
  nullRate: (present: number) => number | null,
): Promise<VectorStatistics> {
  const aggregate = await readVectorAggregate(sql, rows);
  const stds = aggregate.mean && aggregate.meanSquare
    ? aggregate.mean.map((mean, d) => Math.sqrt(Math.max(0, aggregate.meanSquare![d]! - mean * mean)))
    : null;
  return {
    type: 'vector',
    dimension: feature.dimension,
    count: aggregate.present,
    nullRate: nullRate(aggregate.present),
    meanNorm: aggregate.meanNorm,
    stdNorm: aggregate.stdNorm,
    minNorm: aggregate.minNorm,
    maxNorm: aggregate.maxNorm,
    dimensionMean: aggregate.mean ? summarize(aggregate.mean) : null,
    dimensionStd: stds ? summarize(stds) : null,
    meanVector: aggregate.mean && aggregate.mean.length <= MAX_INDEXED_DIMENSION ? aggregate.mean : null,
  };
}

async function driftAgainst(
  sql: SqlClient,
  rows: VersionRowLayout,
  current: VectorStatistics,
  previous: PreviousVersion,
): Promise<DriftStatistics> {
  const previousVector = vectorFeature(previous.schema.features);
  const sameDimension = previousVector?.dimension === current.dimension;
  const previousRows = await readVersionRowLayout(sql, previous.id);
  const agreement = sameDimension ? await readCosineAgreement(sql, rows, previousRows) : { common: 0, meanCosine: null };
  const previousStatistics = previous.statistics && previousVector ? previous.statistics.features[previousVector.name] : undefined;
  const previousVectorStatistics = previousStatistics?.type === 'vector' ? previousStatistics : undefined;
  const bins = await readNormBins(sql, rows, previousRows);
  return {
    againstVersion: previous.version,
    commonEntities: agreement.common,
    meanCosineSimilarity: agreement.meanCosine,
    meanCosineShift: agreement.meanCosine === null ? null : 1 - agreement.meanCosine,
    centroidCosineShift:
      sameDimension && current.meanVector && previousVectorStatistics?.meanVector ? cosineDistance(current.meanVector, previousVectorStatistics.meanVector) : null,
    meanNormShift: current.meanNorm !== null && previousVectorStatistics?.meanNorm != null ? current.meanNorm - previousVectorStatistics.meanNorm : null,
    psi: bins && sum(bins.current) > 0 ? { basis: 'vector_norm', bins: 10, edges: bins.edges, ...populationStability(bins.previous, bins.current) } : null,
  };
}

/**
 * PSI between two histograms over the same bins: sum of (a - e) * ln(a / e) over the bins, with
 * e and a the expected (previous) and actual (new) fractions floored at 1e-4.
 */
export function populationStability(expectedCounts: readonly number[], actualCounts: readonly number[]): { value: number; expected: number[]; actual: number[] } {
  const expectedTotal = sum(expectedCounts);
  const actualTotal = sum(actualCounts);
  const expected = expectedCounts.map((count) => (expectedTotal === 0 ? 0 : count / expectedTotal));
  const actual = actualCounts.map((count) => (actualTotal === 0 ? 0 : count / actualTotal));
  let value = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, PSI_FLOOR);
    const a = Math.max(actual[i] ?? 0, PSI_FLOOR);
    value += (a - e) * Math.log(a / e);
  }
  return { value, expected, actual };
}

function cosineDistance(a: readonly number[], b: readonly number[]): number | null {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    na += a[i]! * a[i]!;
    nb += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return na === 0 || nb === 0 ? null : 1 - dot / Math.sqrt(na * nb);
}

function summarize(values: readonly number[]): Summary | null {
  if (values.length === 0) return null;
  return { min: Math.min(...values), mean: sum(values) / values.length, max: Math.max(...values) };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
