/**
 * In-memory exact retrieval indexes of the item versions recommendations draw candidates from,
 * one per published version (which never changes), loaded in the background on first use: the
 * request that finds none goes to the version's HNSW index (an exact scan in the database while
 * that is still being built after the publish), and later ones use the index here
 * once it is loaded. Versions with a TTL (whose rows can go stale between reads) and versions too
 * large for memory are never loaded and always searched in the database.
 */
import type { Database } from '../../store/db/Database.ts';
import type { SynthesizedVersion } from '../../store/sql/findSynthesizedVersions.ts';
import { countVersionVectors, readVersionVectors } from '../../store/sql/readVersionVectors.ts';
import { ExactInnerProductIndex } from './ExactInnerProductIndex.ts';

/** Most vectors a version may have to be held here: 1M x 32 float32 is 128 MB. */
export const MAX_IN_MEMORY_VECTORS = 1_000_000;
/** Versions kept at once: the latest and the one it replaced, while requests move over. */
const KEPT_VERSIONS = 2;

/** Told when a version's index could not be loaded (its searches stay in the database). */
export type LoadErrorHandler = (error: unknown, versionId: number) => void;

function warnOfLoadError(error: unknown, versionId: number): void {
  process.emitWarning(`loading the in-memory retrieval index of feature set version ${versionId} failed: ${String(error)}`);
}

interface Entry {
  index: ExactInnerProductIndex | null | undefined;
  readonly loading: Promise<ExactInnerProductIndex | null>;
}

export class RetrievalIndexes {
  readonly #db: Database;
  readonly #onLoadError: LoadErrorHandler;
  readonly #entries = new Map<number, Entry>();

  constructor(db: Database, onLoadError: LoadErrorHandler = warnOfLoadError) {
    this.#db = db;
    this.#onLoadError = onLoadError;
  }

  /** The version's loaded index; undefined while it loads (this call starts it) or when it is not kept in memory. */
  get(version: SynthesizedVersion): ExactInnerProductIndex | undefined {
    if (version.ttlSeconds !== null) return undefined;
    return this.#entry(version).index ?? undefined;
  }

  /** An entity's vector in the version's index if that is loaded (it never starts a load). */
  vectorOf(versionId: number, entityKey: string): Float32Array | undefined {
    return this.#entries.get(versionId)?.index?.vectorOf(entityKey);
  }

  /** Loads the version's index (if it qualifies) and resolves when it is ready: null when it is not kept in memory. */
  async load(version: SynthesizedVersion): Promise<ExactInnerProductIndex | null> {
    if (version.ttlSeconds !== null) return null;
    return this.#entry(version).loading;
  }

  #entry(version: SynthesizedVersion): Entry {
    const existing = this.#entries.get(version.versionId);
    if (existing) return existing;
    const entry: Entry = { index: undefined, loading: this.#build(version) };
    entry.loading.then(
      (index) => (entry.index = index),
      (error: unknown) => {
        // Forgotten, so that a later request tries again; meanwhile the database serves.
        this.#entries.delete(version.versionId);
        this.#onLoadError(error, version.versionId);
      },
    );
    this.#entries.set(version.versionId, entry);
    for (const id of this.#entries.keys()) if (this.#entries.size > KEPT_VERSIONS) this.#entries.delete(id);
    return entry;
  }

  async #build(version: SynthesizedVersion): Promise<ExactInnerProductIndex | null> {
    if ((await countVersionVectors(this.#db.sql, version.versionId)) > MAX_IN_MEMORY_VECTORS) return null;
    return new ExactInnerProductIndex(version.dimension, await readVersionVectors(this.#db.sql, version.versionId));
  }
}
