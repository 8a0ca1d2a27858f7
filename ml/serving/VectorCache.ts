/**
 * Materialized synthetic vectors kept in memory between requests. A published feature set
 * version never changes, so a row read once stays right for as long as it is kept: the only
 * bound is memory (least recently used rows go first). Rows of feature sets with a TTL are not
 * kept, since their staleness depends on the time of the read.
 */
import { LruCache } from '../../store/lruCache.ts';

export class VectorCache {
  readonly #rows: LruCache<string, Float32Array>;

  constructor(maxRows = 200_000) {
    this.#rows = new LruCache(maxRows);
  }

  get(versionId: number, entityKey: string): Float32Array | undefined {
    return this.#rows.get(`${versionId}\u0000${entityKey}`);
  }

  set(versionId: number, entityKey: string, vector: Float32Array): void {
    this.#rows.set(`${versionId}\u0000${entityKey}`, vector);
  }
}
