/**
 * A small time-bounded memo for lookups on every request whose answer changes rarely (API keys,
 * the latest model version): at most `maxEntries`, each reused for `ttlMs`. Staleness is
 * bounded by the TTL; callers that change the underlying record in this process call `clear`.
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { readonly value: Promise<V>; readonly expires: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 1_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** The cached value of `key`, or `load()`'s, which is cached unless it rejects. */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.peek(key);
    if (hit) return hit;
    const value = load();
    this.#store(key, value);
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  /** The cached value of `key` if it has not expired, without loading anything. */
  peek(key: K): Promise<V> | undefined {
    const hit = this.#entries.get(key);
    return hit && hit.expires > Date.now() ? hit.value : undefined;
  }

  /** Remembers `value` for `key` for the TTL (a value learnt as a by-product of another read). */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#store(key, Promise.resolve(value));
  }

  #store(key: K, value: Promise<V>): void {
    this.#entries.set(key, { value, expires: Date.now() + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as K);
  }

  clear(): void {
    this.#entries.clear();
  }
}
