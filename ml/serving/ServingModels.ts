/**
 * The trained models a serving process scores with, loaded once per model version and kept
 * (weights, encoders, vocabularies): a request names a model by name and version, or takes the
 * latest, resolved by one small query at most every RESOLVE_TTL_MS, so a newly trained version is
 * served within that time. Loading runs once even when concurrent requests ask for one version.
 */
import type { Database } from '../../store/db/Database.ts';
import { ModelNotFoundError } from '../../store/registry/modelVersions.ts';
import { TtlCache } from '../../store/ttlCache.ts';
import { loadTrainedModel, type LoadedModel } from '../store/modelArtifacts.ts';

export interface ModelRef {
  readonly name: string;
  /** Absent: the latest version. */
  readonly version?: number | undefined;
}

/** Model versions kept loaded; the least recently used one is disposed beyond this. */
const MAX_LOADED = 4;
const RESOLVE_TTL_MS = 2_000;

export class ServingModels {
  readonly #db: Database;
  readonly #loaded = new Map<number, Promise<LoadedModel>>();
  readonly #resolved = new TtlCache<string, { id: number; version: number } | undefined>(RESOLVE_TTL_MS);

  constructor(db: Database) {
    this.#db = db;
  }

  async get(ref: ModelRef): Promise<LoadedModel> {
    const row = await this.#resolved.get(`${ref.name}@${ref.version ?? 'latest'}`, async () => {
      const [found] = await this.#db.sql.query<{ id: number; version: number }>(
        `SELECT id, version FROM model_version WHERE name = $1 AND ($2::int IS NULL OR version = $2::int) ORDER BY version DESC LIMIT 1`,
        [ref.name, ref.version ?? null],
      );
      return found;
    });
    if (!row) throw new ModelNotFoundError(`no model "${ref.name}"${ref.version === undefined ? '' : ` version ${ref.version}`} in the store`);
    let loading = this.#loaded.get(row.id);
    if (!loading) {
      loading = loadTrainedModel(this.#db, ref.name, row.version);
      loading.catch(() => this.#loaded.delete(row.id));
      this.#loaded.set(row.id, loading);
      await this.#evict();
    } else {
      // Re-insert: Map order is the recency order.
      this.#loaded.delete(row.id);
      this.#loaded.set(row.id, loading);
    }
    return loading;
  }

  async dispose(): Promise<void> {
    const all = [...this.#loaded.values()];
    this.#loaded.clear();
    for (const loading of all) (await loading.catch(() => undefined))?.model.dispose();
  }

  async #evict(): Promise<void> {
    while (this.#loaded.size > MAX_LOADED) {
      const [oldestId, oldest] = this.#loaded.entries().next().value as [number, Promise<LoadedModel>];
      this.#loaded.delete(oldestId);
      (await oldest.catch(() => undefined))?.model.dispose();
    }
  }
}
