/**
 * Materialized synthetic vectors kept in memory between requests. A published feature set
 * version never changes, so a row read once stays right for as long as it is kept: the only
 * bound is memory (least recently used rows go first). Rows of feature sets with a TTL are not
 * kept, since their staleness depends on the time of the read.
 */
export class VectorCache {
  readonly #rows = new Map<string, Float32Array>();
  readonly #maxRows: number;

  constructor(maxRows = 200_000) {
    this.#maxRows = maxRows;
  }

  get(versionId: number, entityKey: string): Float32Array | undefined {
    const key = `${versionId}\u0000${entityKey}`;
    const row = this.#rows.get(key);
    if (row) {
      this.#rows.delete(key);
      this.#rows.set(key, row);
    }
    return row;
  }

  set(versionId: number, entityKey: string, vector: Float32Array): void {
    this.#rows.set(`${versionId}\u0000${entityKey}`, vector);
    while (this.#rows.size > this.#maxRows) this.#rows.delete(this.#rows.keys().next().value as string);
  }
}
