/**
 * Online feature reads (the `features` query, similar items' query vectors) answered from memory
 * where the store's guarantees allow it, so that a hot read costs no SQL statement at all:
 *
 * - a published version never changes, so its rows (values, vector, validFrom, and the absence
 *   of a row) stay right for as long as they are kept; only memory bounds them (LRU);
 * - which version "latest" (or a pinned number) is, and the feature set's TTL, are reused for
 *   RESOLVE_TTL_MS: a version published or deprecated elsewhere is served within that time, as
 *   models and synthesized versions are in ml/serving;
 * - staleness is not cached: it depends on the time of the read, so a kept row is checked against
 *   the TTL at every read (on this process's clock; the database's clock decides for rows read
 *   now), and a row read as stale is not kept, its values being withheld by the store.
 *
 * Whatever is not kept is read with getOnlineFeatures, one statement for all the keys missed.
 */
import type { Database } from '../store/db/Database.ts';
import { getOnlineFeatures } from '../store/featureSets/getFeatures.ts';
import { LruCache } from '../store/lruCache.ts';
import type { OnlineFeatureRow, OnlineReadRequest, OnlineReadResult } from '../store/sql/readOnlineFeatures.ts';
import { TtlCache } from '../store/ttlCache.ts';

/** How long a resolution of "latest" (or of a pinned version) is reused. */
export const RESOLVE_TTL_MS = 1_000;
const MAX_ROWS = 200_000;

type Resolution = Omit<OnlineReadResult, 'rows' | 'missing'>;
/** A kept row: present (an 'ok' row as read, before the TTL check) or known to be absent. */
type KeptRow = OnlineFeatureRow & { readonly status: 'ok' | 'missing' };

export interface FeatureReadCacheOptions {
  readonly resolveTtlMs?: number;
  readonly maxRows?: number;
}

export class FeatureReadCache {
  readonly #resolved: TtlCache<string, Resolution>;
  readonly #rows: LruCache<string, KeptRow>;

  constructor(options: FeatureReadCacheOptions = {}) {
    this.#resolved = new TtlCache(options.resolveTtlMs ?? RESOLVE_TTL_MS);
    this.#rows = new LruCache(options.maxRows ?? MAX_ROWS);
  }

  /** What getOnlineFeatures answers for `request`, from memory where possible. */
  async read(db: Pick<Database, 'sql'>, request: OnlineReadRequest): Promise<OnlineReadResult> {
    const resolutionKey = `${request.featureSet}\u0000${request.version}`;
    const resolution = await this.#resolved.peek(resolutionKey);
    if (!resolution) return this.#readThrough(db, request, resolutionKey);
    const now = request.now?.getTime() ?? Date.now();
    const answered = new Map<string, OnlineFeatureRow>();
    const misses: string[] = [];
    for (const key of new Set(request.entityKeys)) {
      const kept = this.#rows.get(rowKey(resolution.versionId, key));
      if (kept) answered.set(key, withTtl(kept, resolution.ttlSeconds, now));
      else misses.push(key);
    }
    if (misses.length > 0) {
      const read = await getOnlineFeatures(db, { ...request, version: resolution.version, entityKeys: misses });
      // The feature set was registered anew under the same name: resolve again.
      if (read.versionId !== resolution.versionId) return this.#readThrough(db, request, resolutionKey);
      this.#keep(read);
      for (const row of read.rows) answered.set(row.entityKey, row);
    }
    const rows = request.entityKeys.map((key) => answered.get(key)!);
    return { ...resolution, rows, missing: rows.filter((row) => row.status === 'missing').map((row) => row.entityKey) };
  }

  async #readThrough(db: Pick<Database, 'sql'>, request: OnlineReadRequest, resolutionKey: string): Promise<OnlineReadResult> {
    const read = await getOnlineFeatures(db, request);
    const { rows: _rows, missing: _missing, ...resolution } = read;
    this.#resolved.set(resolutionKey, resolution);
    this.#keep(read);
    return read;
  }

  #keep(read: OnlineReadResult): void {
    for (const row of read.rows) {
      if (row.status === 'ok' || row.status === 'missing') this.#rows.set(rowKey(read.versionId, row.entityKey), row as KeptRow);
    }
  }
}

const rowKey = (versionId: number, entityKey: string) => `${versionId}\u0000${entityKey}`;

/** The store's TTL rule (stale when validFrom is more than ttlSeconds before now), on a kept row. */
function withTtl(row: KeptRow, ttlSeconds: number | null, now: number): OnlineFeatureRow {
  if (row.status === 'missing' || ttlSeconds === null || row.validFrom === null) return row;
  if (row.validFrom.getTime() >= now - ttlSeconds * 1000) return row;
  return { ...row, status: 'stale', values: null, vector: null };
}
