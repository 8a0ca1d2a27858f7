/**
 * Per-column standardization (x - mean) / std with statistics from training data only.
 * Missing values are NaN on input: they do not enter the statistics and standardize to 0, the
 * training mean, so callers pair them with a presence mask where the model needs to know.
 */

export interface StandardizerJSON {
  readonly names: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export class Standardizer {
  readonly names: readonly string[];
  readonly mean: Float64Array;
  readonly std: Float64Array;

  constructor(names: readonly string[], mean: ArrayLike<number>, std: ArrayLike<number>) {
    if (mean.length !== names.length || std.length !== names.length) {
      throw new RangeError(`a standardizer needs one mean and one std per column (${names.length}), got ${mean.length} and ${std.length}`);
    }
    for (let c = 0; c < names.length; c++) {
      if (!Number.isFinite(mean[c]) || !(std[c]! > 0)) {
        throw new RangeError(`column "${names[c]}": mean must be finite and std > 0, got ${mean[c]} and ${std[c]}`);
      }
    }
    this.names = [...names];
    this.mean = Float64Array.from(mean);
    this.std = Float64Array.from(std);
  }

  /**
   * Fits mean and (population) standard deviation of each column of a row-major [N, columns]
   * matrix, ignoring NaN. A column with no values gets mean 0; one with zero spread gets std 1.
   */
  static fit(names: readonly string[], rows: ArrayLike<number>): Standardizer {
    const columns = names.length;
    if (columns === 0) return new Standardizer([], [], []);
    if (rows.length % columns !== 0) throw new RangeError(`fit: ${rows.length} values are not rows of ${columns} columns`);
    const count = new Float64Array(columns);
    const mean = new Float64Array(columns);
    const m2 = new Float64Array(columns);
    for (let offset = 0; offset < rows.length; offset += columns) {
      for (let c = 0; c < columns; c++) {
        const value = rows[offset + c]!;
        if (!Number.isFinite(value)) continue;
        // Welford: stable for large counts and values far from 0 (years, timestamps).
        const n = ++count[c]!;
        const delta = value - mean[c]!;
        mean[c]! += delta / n;
        m2[c]! += delta * (value - mean[c]!);
      }
    }
    const std = new Float64Array(columns);
    for (let c = 0; c < columns; c++) {
      const sd = count[c]! > 0 ? Math.sqrt(m2[c]! / count[c]!) : 0;
      std[c] = sd > 1e-12 * Math.max(1, Math.abs(mean[c]!)) ? sd : 1;
    }
    return new Standardizer(names, mean, std);
  }

  get columns(): number {
    return this.names.length;
  }

  /** The standardized value of `value` in `column`; NaN (missing) gives 0. */
  standardize(column: number, value: number): number {
    return Number.isFinite(value) ? (value - this.mean[column]!) / this.std[column]! : 0;
  }

  /** Standardizes a row-major [N, columns] matrix into `out` (allocated when absent). */
  transform(rows: ArrayLike<number>, out = new Float32Array(rows.length)): Float32Array {
    const columns = this.columns;
    if (columns === 0) return out;
    if (rows.length % columns !== 0 || out.length < rows.length) {
      throw new RangeError(`transform: ${rows.length} values are not rows of ${columns} columns, or out is too small`);
    }
    for (let i = 0; i < rows.length; i++) out[i] = this.standardize(i % columns, rows[i]!);
    return out;
  }

  toJSON(): StandardizerJSON {
    return { names: [...this.names], mean: [...this.mean], std: [...this.std] };
  }

  static fromJSON(json: StandardizerJSON): Standardizer {
    if (!json || !Array.isArray(json.names) || !Array.isArray(json.mean) || !Array.isArray(json.std)) {
      throw new TypeError('a serialized standardizer needs "names", "mean" and "std" arrays');
    }
    return new Standardizer(json.names, json.mean, json.std);
  }
}
