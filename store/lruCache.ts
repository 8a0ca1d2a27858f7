/**
 * A bounded map for values that never go wrong (rows of an immutable published version), so that
 * memory is the only bound. Approximately least-recently-used, in two generations: hits in the
 * older one move to the newer one, and when the newer one is full the older one is dropped whole.
 * A hit costs one or two Map lookups: an exact LRU's delete and re-insert on every hit showed in
 * the serving profile. Holds between maxEntries / 2 and maxEntries entries once full.
 */
export class LruCache<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #generationSize: number;

  constructor(maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2));
  }

  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) this.#remember(key, old);
    return old;
  }

  set(key: K, value: V): void {
    this.#remember(key, value);
  }

  get size(): number {
    let size = this.#young.size;
    for (const key of this.#old.keys()) if (!this.#young.has(key)) size++;
    return size;
  }

  #remember(key: K, value: V): void {
    if (this.#young.size >= this.#generationSize && !this.#young.has(key)) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
