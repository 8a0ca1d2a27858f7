/**
 * Says when a validation loss has stopped improving: no improvement larger than `minDelta`
 * (relative) for `patience` consecutive evaluations. Used both for early stopping and to grow
 * the companion network.
 */
export class PlateauDetector {
  private readonly patience: number;
  private readonly minDelta: number;
  private bestValue = Number.POSITIVE_INFINITY;
  /** The value of the last significant improvement, against which the next is measured. */
  private reference = Number.POSITIVE_INFINITY;
  private bestAt = -1;
  private count = 0;

  constructor(patience: number, minDelta = 1e-3) {
    if (!(Number.isInteger(patience) && patience >= 1)) throw new Error(`patience must be an integer >= 1, got ${patience}`);
    this.patience = patience;
    this.minDelta = minDelta;
  }

  /** Records a new value (lower is better); true when it improves significantly. */
  update(value: number): boolean {
    const improved = value < this.reference - Math.abs(this.reference) * this.minDelta || this.bestAt < 0;
    if (improved) {
      this.reference = value;
      this.bestAt = this.count;
    }
    this.bestValue = Math.min(value, this.bestValue);
    this.count++;
    return improved;
  }

  /** True when the last `patience` values brought no improvement. */
  get onPlateau(): boolean {
    return this.bestAt >= 0 && this.count - 1 - this.bestAt >= this.patience;
  }

  get best(): number {
    return this.bestValue;
  }

  /** Starts counting patience afresh (after the model changed, e.g. was widened). */
  reset(): void {
    this.bestAt = this.count - 1;
  }
}
