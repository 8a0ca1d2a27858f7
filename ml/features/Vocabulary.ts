/**
 * A string -> index mapping built from training data only. Index 0 means "unknown or missing"
 * (and is the padding value of id lists), so an unseen token, tag, category or entity id always
 * encodes as 0: the model sees it as unknown instead of reusing another token's embedding.
 */

export interface VocabularyOptions {
  /** Keep only entries seen at least this many times; default 1. */
  readonly minCount?: number;
  /**
   * The largest vocabulary size, index 0 included (so at most maxSize - 1 known entries); the
   * most frequent entries win, ties broken by string order. Default: unlimited.
   */
  readonly maxSize?: number;
}

export interface VocabularyJSON {
  /** The known entries in index order: entries[0] has index 1. */
  readonly entries: readonly string[];
}

/** Counts occurrences, then builds a Vocabulary. */
export class VocabularyCounter {
  readonly counts = new Map<string, number>();

  add(entry: string, times = 1): void {
    this.counts.set(entry, (this.counts.get(entry) ?? 0) + times);
  }

  addAll(entries: Iterable<string>): void {
    for (const entry of entries) this.add(entry);
  }

  build(options: VocabularyOptions = {}): Vocabulary {
    const minCount = options.minCount ?? 1;
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    if (!(minCount >= 1)) throw new RangeError(`vocabulary minCount must be >= 1, got ${minCount}`);
    if (!(maxSize >= 1)) throw new RangeError(`vocabulary maxSize must be >= 1 (index 0 included), got ${maxSize}`);
    const kept = [...this.counts].filter(([, count]) => count >= minCount);
    // Frequency order, then string order: the same data always gives the same indices.
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new Vocabulary(kept.slice(0, Math.max(0, maxSize - 1)).map(([entry]) => entry));
  }
}

export class Vocabulary {
  /** Index 0 is reserved for unknown / missing / padding. */
  static readonly UNKNOWN = 0;
  readonly #entries: readonly string[];
  readonly #index: Map<string, number>;

  /** `entries` in index order starting at index 1; they must be distinct. */
  constructor(entries: readonly string[]) {
    this.#entries = [...entries];
    this.#index = new Map(this.#entries.map((entry, i) => [entry, i + 1]));
    if (this.#index.size !== this.#entries.length) throw new Error('vocabulary entries must be distinct');
  }

  /** Builds a vocabulary from sequences of entries (each occurrence counts once). */
  static build(sequences: Iterable<Iterable<string>>, options: VocabularyOptions = {}): Vocabulary {
    const counter = new VocabularyCounter();
    for (const sequence of sequences) counter.addAll(sequence);
    return counter.build(options);
  }

  /** Number of indices including 0: the size an embedding table needs. */
  get size(): number {
    return this.#entries.length + 1;
  }

  /** The index of `entry`, or 0 when it is unknown. */
  indexOf(entry: string): number {
    return this.#index.get(entry) ?? Vocabulary.UNKNOWN;
  }

  has(entry: string): boolean {
    return this.#index.has(entry);
  }

  /** The entry at `index`, or undefined for 0 and out-of-range indices. */
  entryAt(index: number): string | undefined {
    return index >= 1 ? this.#entries[index - 1] : undefined;
  }

  /** Indices of `entries` (unknown ones as 0). */
  encode(entries: readonly string[]): number[] {
    return entries.map((entry) => this.indexOf(entry));
  }

  toJSON(): VocabularyJSON {
    return { entries: [...this.#entries] };
  }

  static fromJSON(json: VocabularyJSON): Vocabulary {
    if (!json || !Array.isArray(json.entries) || json.entries.some((entry) => typeof entry !== 'string')) {
      throw new TypeError('a serialized vocabulary needs "entries": an array of strings');
    }
    return new Vocabulary(json.entries);
  }
}
