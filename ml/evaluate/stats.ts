/** Mean and sample standard deviation over seeds, ignoring missing (null / NaN) values. */

export interface MeanSd {
  readonly mean: number | null;
  readonly sd: number | null;
  /** How many finite values entered. */
  readonly n: number;
}

export function meanSd(values: readonly (number | null | undefined)[]): MeanSd {
  const finite = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  const n = finite.length;
  if (n === 0) return { mean: null, sd: null, n };
  const mean = finite.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, sd: 0, n };
  const variance = finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return { mean, sd: Math.sqrt(variance), n };
}
