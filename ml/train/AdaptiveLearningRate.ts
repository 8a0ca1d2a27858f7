/**
 * The adaptive learning-rate schedule of DESIGN.md section 1: the base rate is scaled by the
 * running magnitude of the synthetic features relative to their magnitude when training began.
 * Growing synthetic features (the companion is still finding what to say) raise the rate:
 * exploration; shrinking ones (regularization is pruning them, the model has settled) lower it:
 * a stable phase. The factor is bounded so neither phase can run away.
 */
export interface AdaptiveLearningRateOptions {
  readonly baseRate: number;
  /** Bounds of the factor applied to the base rate. */
  readonly minFactor: number;
  readonly maxFactor: number;
  /** Exponent of the magnitude ratio: 0 turns the schedule off, 1 follows it linearly. */
  readonly sensitivity: number;
  /** Weight of the newest batch in the running magnitude (exponential moving average). */
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
  private running: number | undefined;
  private reference: number | undefined;

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
    this.running = this.running === undefined ? magnitude : this.running + this.options.smoothing * (magnitude - this.running);
  }

  /** Fixes the reference magnitude (call at the end of the first epoch). */
  calibrate(): void {
    if (this.reference === undefined && this.running !== undefined && this.running > 0) this.reference = this.running;
  }

  get magnitude(): number | undefined {
    return this.running;
  }

  get factor(): number {
    if (this.reference === undefined || this.running === undefined) return 1;
    const { minFactor, maxFactor, sensitivity } = this.options;
    const ratio = Math.max(this.running, 1e-12) / this.reference;
    return Math.min(maxFactor, Math.max(minFactor, ratio ** sensitivity));
  }

  get rate(): number {
    return this.options.baseRate * this.factor;
  }
}
