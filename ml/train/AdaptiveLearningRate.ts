/**
 * The adaptive learning-rate schedule of DESIGN.md section 1: the base rate is scaled by how
 * the magnitude of the synthetic features is moving. Two running averages of the batches' mean
 * |s| are kept, a fast one and a slow one; their ratio is the factor. Growing synthetic
 * features (the companion is still finding what to say) give a ratio above 1: exploration;
 * shrinking ones (regularization pruning them, the model settling) give a ratio below 1: a
 * stable phase; a steady magnitude gives the base rate. Comparing with a slow average rather
 * than with the first epoch keeps the factor from sticking at a bound once features have grown.
 * The factor is bounded so neither phase can run away.
 */
export interface AdaptiveLearningRateOptions {
  readonly baseRate: number;
  /** Bounds of the factor applied to the base rate. */
  readonly minFactor: number;
  readonly maxFactor: number;
  /** Exponent of the magnitude ratio: 0 turns the schedule off, 1 follows it linearly. */
  readonly sensitivity: number;
  /** Weight of the newest batch in the fast running magnitude; the slow one uses a tenth of it. */
  readonly smoothing: number;
}

export const DEFAULT_ADAPTIVE_LR: Omit<AdaptiveLearningRateOptions, 'baseRate'> = {
  minFactor: 0.25,
  maxFactor: 2,
  sensitivity: 1,
  smoothing: 0.05,
};

export class AdaptiveLearningRate {
  private readonly options: AdaptiveLearningRateOptions;
  private fast: number | undefined;
  private slow: number | undefined;

  constructor(options: AdaptiveLearningRateOptions) {
    if (!(options.baseRate > 0)) throw new Error(`baseRate must be > 0, got ${options.baseRate}`);
    if (!(options.minFactor > 0 && options.minFactor <= 1 && options.maxFactor >= 1)) {
      throw new Error(`expected 0 < minFactor <= 1 <= maxFactor, got ${options.minFactor} and ${options.maxFactor}`);
    }
    if (!(options.smoothing > 0 && options.smoothing <= 1)) throw new Error(`smoothing must be in (0, 1], got ${options.smoothing}`);
    this.options = options;
  }

  /** Feeds the mean absolute synthetic feature of one batch. */
  observe(magnitude: number): void {
    if (!Number.isFinite(magnitude)) return;
    const { smoothing } = this.options;
    this.fast = this.fast === undefined ? magnitude : this.fast + smoothing * (magnitude - this.fast);
    this.slow = this.slow === undefined ? magnitude : this.slow + (smoothing / 10) * (magnitude - this.slow);
  }

  /** The running (fast) magnitude of the synthetic features. */
  get magnitude(): number | undefined {
    return this.fast;
  }

  get factor(): number {
    if (this.fast === undefined || this.slow === undefined || this.slow <= 0) return 1;
    const { minFactor, maxFactor, sensitivity } = this.options;
    return Math.min(maxFactor, Math.max(minFactor, (this.fast / this.slow) ** sensitivity));
  }

  get rate(): number {
    return this.options.baseRate * this.factor;
  }
}
