/**
 * The k highest-scoring ids offered so far, streaming: a binary min-heap of size k whose root is
 * the k-th best. On equal scores the lower id ranks higher, so rankings are deterministic.
 * O(log k) per offer that enters; one comparison for one that does not.
 */
export class TopK {
  readonly #k: number;
  readonly #ids: Int32Array;
  readonly #scores: Float64Array;
  #size = 0;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.#k = k;
    this.#ids = new Int32Array(k);
    this.#scores = new Float64Array(k);
  }

  get full(): boolean {
    return this.#size === this.#k;
  }

  /** The score an id must beat to enter once full (equal enters only with a lower id). */
  get threshold(): number {
    return this.#size === 0 ? -Infinity : this.#scores[0]!;
  }

  offer(id: number, score: number): void {
    if (this.#size < this.#k) {
      this.#ids[this.#size] = id;
      this.#scores[this.#size] = score;
      this.#siftUp(this.#size++);
    } else if (this.#worse(0, id, score)) {
      this.#ids[0] = id;
      this.#scores[0] = score;
      this.#siftDown(0);
    }
  }

  /** Best first. */
  sorted(): { id: number; score: number }[] {
    return Array.from({ length: this.#size }, (_, i) => ({ id: this.#ids[i]!, score: this.#scores[i]! })).sort((a, b) => b.score - a.score || a.id - b.id);
  }

  /** Whether heap entry i ranks below (id, score): a lower score, or the same score and a higher id. */
  #worse(i: number, id: number, score: number): boolean {
    const own = this.#scores[i]!;
    return own < score || (own === score && this.#ids[i]! > id);
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#worse(i, this.#ids[parent]!, this.#scores[parent]!)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.#size && this.#worse(left, this.#ids[smallest]!, this.#scores[smallest]!)) smallest = left;
      if (right < this.#size && this.#worse(right, this.#ids[smallest]!, this.#scores[smallest]!)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #swap(a: number, b: number): void {
    const id = this.#ids[a]!;
    this.#ids[a] = this.#ids[b]!;
    this.#ids[b] = id;
    const score = this.#scores[a]!;
    this.#scores[a] = this.#scores[b]!;
    this.#scores[b] = score;
  }
}
