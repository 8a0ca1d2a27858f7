/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) for demo data and
 * tests: the same integer seed always gives the same sequence, on every platform.
 * Not for anything that needs unpredictability.
 */
export class Random {
  /** The integer seed this generator started from. */
  readonly seed: number;
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`a random seed must be a safe integer, got ${seed}`);
    this.seed = seed;
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x9e3779b9);
    const splitmix = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = splitmix();
    this.#b = splitmix();
    this.#c = splitmix();
    this.#d = splitmix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** An independent generator for a named purpose, determined by this seed and the label only. */
  derive(label: string): Random {
    return new Random(hashString(`${this.seed}:${label}`));
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    let a = this.#a;
    let b = this.#b;
    let c = this.#c;
    let d = this.#d;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    return (t >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A normal deviate (Box-Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    let z = this.#spareNormal;
    if (z === undefined) {
      const u = 1 - this.next(); // (0, 1]: log(u) is finite
      const r = Math.sqrt(-2 * Math.log(u));
      const theta = 2 * Math.PI * this.next();
      z = r * Math.cos(theta);
      this.#spareNormal = r * Math.sin(theta);
    } else {
      this.#spareNormal = undefined;
    }
    return mean + sd * z;
  }

  /** A Poisson count with mean lambda (Knuth's method; a rounded normal for large lambda). */
  poisson(lambda: number): number {
    if (!(lambda >= 0)) throw new RangeError(`poisson(lambda) needs lambda >= 0, got ${lambda}`);
    if (lambda > 40) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }

  /** A uniformly chosen element. */
  pick<T>(array: readonly T[]): T {
    if (array.length === 0) throw new RangeError('pick() needs a non-empty array');
    return array[this.int(array.length)] as T;
  }

  /** An index chosen with probability proportional to its (non-negative) weight. */
  weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i] as number;
    if (!(total > 0)) throw new RangeError('weightedIndex() needs a positive total weight');
    let target = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      target -= weights[i] as number;
      if (target < 0) return i;
    }
    // Rounding can leave a tiny remainder: return the last index with a positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
    return weights.length - 1;
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swap = array[i] as T;
      array[i] = array[j] as T;
      array[j] = swap;
    }
    return array;
  }
}

/** FNV-1a: a 32-bit unsigned hash of a string, for deriving seeds from labels. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
