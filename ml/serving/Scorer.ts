/**
 * Online scoring for product teams: predictions for a user over candidate items, the combined
 * feature vector of a pair, and top-k recommendations. The corrected forward pass of training
 * runs here too, minus the companions where the store has the synthetic features already:
 *
 *   s_u, s_i  <- materialized synthesized feature values (or the companion, for new entities)
 *   original  <- ID indices from the model's vocabularies + behavioural aggregates as of now
 *   z, w      <- combine(original, s_u, s_i);   score = primary(z)
 *
 * Recommendations take candidates by inner product with the retrieval query q_u = s_u W
 * (ml/model/retrieval.ts) over the model's materialized item vectors: an exact scan of the
 * version held in memory (RetrievalIndexes) or, while that loads, with a metadata filter, or for
 * versions too large or with a TTL, the version's HNSW index; then the primary network ranks them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Database } from '../../store/db/Database.ts';
import { findSynthesizedVersions, type SynthesizedVersion } from '../../store/sql/findSynthesizedVersions.ts';
import { readHistoryStates } from '../../store/sql/readHistoryStates.ts';
import { readUserItems } from '../../store/sql/readUserItems.ts';
import { searchFeatureVectors } from '../../store/sql/searchFeatureVectors.ts';
import { AGGREGATES, aggregatesAt } from '../data/aggregates.ts';
import type { LoadedModel } from '../store/modelArtifacts.ts';
import { ServingError } from './ServingError.ts';
import { TtlCache } from '../../store/ttlCache.ts';
import { VectorCache } from './VectorCache.ts';
import { RetrievalIndexes, type LoadErrorHandler } from './RetrievalIndexes.ts';
import type { ModelRef, ServingModels } from './ServingModels.ts';
import { type KnownVectors, syntheticFeatures, type SyntheticFeatures, type SyntheticSource } from './syntheticFeatures.ts';

/** Most candidate items one prediction scores. */
export const MAX_CANDIDATES = 1_000;

export interface GroupWeight {
  readonly group: string;
  readonly weight: number;
}

export interface ScoredItem {
  readonly itemId: string;
  /** Probability (binary models) or predicted rating (regression). */
  readonly score: number;
  /** The combination module's weight per feature group: why the score is what it is. */
  readonly groupWeights: GroupWeight[];
  readonly itemFeatures: SyntheticSource;
}

export interface Prediction {
  readonly model: { readonly name: string; readonly version: number; readonly id: number };
  readonly task: 'binary' | 'regression';
  readonly userFeatures: SyntheticSource;
  /** In request order. */
  readonly items: ScoredItem[];
}

export interface CombinedVector {
  readonly model: Prediction['model'];
  readonly vector: number[];
  readonly groupWeights: GroupWeight[];
  readonly score: number;
}

export interface RecommendFilter {
  /** Leave out items the user already has events with; default true. */
  readonly excludeSeen?: boolean;
  /** Only items whose metadata contains this JSON ({"genre": "Drama"}). */
  readonly metadataContains?: Record<string, unknown>;
  readonly excludeItemIds?: readonly string[];
}

export interface Recommendation extends Prediction {
  /** How many candidates the inner-product search returned and the primary network ranked. */
  readonly candidates: number;
  readonly items: (ScoredItem & { readonly retrievalScore: number })[];
}

/** How long the synthesized versions of a model are reused before asking again (new publications show up within it). */
const VERSIONS_TTL_MS = 2_000;

export class Scorer {
  readonly #db: Database;
  readonly #models: ServingModels;
  readonly #vectors = new VectorCache();
  readonly #versions = new TtlCache<number, Awaited<ReturnType<typeof findSynthesizedVersions>>>(VERSIONS_TTL_MS);

  readonly #retrieval: RetrievalIndexes;
  /** Where synthetic features are looked up before the database. */
  readonly #known: KnownVectors;

  constructor(db: Database, models: ServingModels, options: { readonly onRetrievalLoadError?: LoadErrorHandler } = {}) {
    this.#db = db;
    this.#models = models;
    this.#retrieval = new RetrievalIndexes(db, options.onRetrievalLoadError);
    this.#known = knownVectors(this.#retrieval, this.#vectors);
  }

  /** Loads the in-memory retrieval index of a model's item version now; false when that version is searched in the database. */
  async prepareRetrieval(model: ModelRef): Promise<boolean> {
    const loaded = await this.#models.get(model);
    const versions = await this.#synthesizedVersions(loaded);
    return (await this.#retrieval.load(requireItemVersion(versions.item, loaded))) !== null;
  }

  async predict(userId: string, itemIds: readonly string[], model: ModelRef): Promise<Prediction> {
    checkCandidates(itemIds);
    const loaded = await this.#models.get(model);
    const versions = await this.#synthesizedVersions(loaded);
    const [user, items] = await Promise.all([
      syntheticFeatures(this.#db, loaded, 'user', [userId], versions.user, this.#known),
      syntheticFeatures(this.#db, loaded, 'item', itemIds, versions.item, this.#known),
    ]);
    return this.#score(loaded, userId, user, itemIds, items);
  }

  async combinedVector(userId: string, itemId: string, model: ModelRef): Promise<CombinedVector> {
    const loaded = await this.#models.get(model);
    const versions = await this.#synthesizedVersions(loaded);
    const user = await syntheticFeatures(this.#db, loaded, 'user', [userId], versions.user, this.#known);
    const item = await syntheticFeatures(this.#db, loaded, 'item', [itemId], versions.item, this.#known);
    const scored = await this.#score(loaded, userId, user, [itemId], item, true);
    return { model: scored.model, vector: scored.combined!, groupWeights: scored.items[0]!.groupWeights, score: scored.items[0]!.score };
  }

  async recommend(userId: string, k: number, model: ModelRef, filter: RecommendFilter = {}, candidates = Math.max(100, 5 * k)): Promise<Recommendation> {
    if (!Number.isInteger(k) || k < 1 || k > 100) throw new ServingError('BAD_USER_INPUT', `k must be an integer in [1, 100], got ${k}`);
    const loaded = await this.#models.get(model);
    const versions = await this.#synthesizedVersions(loaded);
    const itemVersion = requireItemVersion(versions.item, loaded);
    // Independent reads: in flight together, so the request waits for one round trip, not two.
    const [user, seen] = await Promise.all([
      syntheticFeatures(this.#db, loaded, 'user', [userId], versions.user, this.#known),
      filter.excludeSeen === false ? [] : readUserItems(this.#db.sql, userId),
    ]);
    const query = tf.tidy(() => loaded.model.retrievalQueries(tf.tensor2d(user.values, [1, user.dimension])).dataSync());
    const limit = Math.min(MAX_CANDIDATES, Math.max(k, candidates));
    const excludeKeys = [...seen, ...(filter.excludeItemIds ?? [])];
    const inMemory = filter.metadataContains ? undefined : this.#retrieval.get(itemVersion);
    const matches = inMemory
      ? inMemory.search(query, limit, excludeKeys)
      : await searchFeatureVectors(this.#db, {
          versionId: itemVersion.versionId,
          dimension: itemVersion.dimension,
          entityType: 'item',
          query,
          k: limit,
          metric: 'inner_product',
          excludeKeys,
          ...(filter.metadataContains ? { metadataContains: filter.metadataContains } : {}),
        });
    const itemIds = matches.map((match) => match.entityKey);
    const items = await syntheticFeatures(this.#db, loaded, 'item', itemIds, itemVersion, this.#known);
    const scored = await this.#score(loaded, userId, user, itemIds, items);
    const bias = loaded.model.retrievalBias();
    const ranked = scored.items
      .map((item, i) => ({ ...item, retrievalScore: -matches[i]!.distance + bias }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
    return { ...scored, candidates: itemIds.length, items: ranked };
  }

  #synthesizedVersions(loaded: LoadedModel) {
    return this.#versions.get(loaded.version.id, () => findSynthesizedVersions(this.#db.sql, loaded.version.id));
  }

  async #score(
    loaded: LoadedModel,
    userId: string,
    user: SyntheticFeatures,
    itemIds: readonly string[],
    items: SyntheticFeatures,
    withCombined = false,
  ): Promise<Prediction & { combined?: number[] }> {
    const { features, model } = loaded;
    const states = await readHistoryStates(this.#db.sql, [userId], itemIds, features.positiveThreshold);
    const size = itemIds.length;
    const width = AGGREGATES.length;
    const raw = new Float32Array(size * width);
    const now = Date.now();
    itemIds.forEach((itemId, b) => aggregatesAt(states.users.get(userId), states.items.get(itemId), now, raw, b));
    const aggregates = features.aggregateStandardizer.transform(raw);
    const scored = model.scoreFromSynthetic({
      size,
      userId: new Int32Array(size).fill(features.userIds.indexOf(userId)),
      itemId: Int32Array.from(itemIds, (id) => features.itemIds.indexOf(id)),
      aggregates,
      synthUser: user.values,
      userCount: 1,
      userRow: new Int32Array(size),
      synthItem: items.values,
      itemCount: size,
      itemRow: Int32Array.from(itemIds, (_, i) => i),
    });
    const [scores, weights, combined] = [scored.prediction.dataSync(), scored.groupWeights.dataSync(), withCombined ? scored.combined.dataSync() : undefined];
    tf.dispose([scored.prediction, scored.groupWeights, scored.combined]);
    const groups = model.groupNames;
    const result: Prediction & { combined?: number[] } = {
      model: { name: loaded.version.name, version: loaded.version.version, id: loaded.version.id },
      task: model.task,
      userFeatures: user.sources[0]!,
      items: itemIds.map((itemId, b) => ({
        itemId,
        score: scores[b]!,
        groupWeights: groups.map((group, g) => ({ group, weight: weights[b * groups.length + g]! })),
        itemFeatures: items.sources[b]!,
      })),
    };
    if (combined) result.combined = Array.from(combined.subarray(0, combined.length / Math.max(1, size)));
    return result;
  }
}

/**
 * Vectors of an item version loaded for retrieval are read from its index (which holds them all,
 * so the candidates it returns need no second read); the others through the cache, the database
 * on a miss.
 */
function knownVectors(retrieval: RetrievalIndexes, cache: VectorCache): KnownVectors {
  return {
    get: (versionId, entityKey) => retrieval.vectorOf(versionId, entityKey) ?? cache.get(versionId, entityKey),
    set: (versionId, entityKey, vector) => cache.set(versionId, entityKey, vector),
  };
}

function checkCandidates(itemIds: readonly string[]): void {
  if (itemIds.length === 0) throw new ServingError('BAD_USER_INPUT', 'itemIds: expected at least one item id');
  if (itemIds.length > MAX_CANDIDATES) throw new ServingError('BAD_USER_INPUT', `itemIds: at most ${MAX_CANDIDATES} items per prediction, got ${itemIds.length}`);
}

function requireItemVersion(version: SynthesizedVersion | undefined, loaded: LoadedModel): SynthesizedVersion {
  if (version) return version;
  throw new ServingError(
    'FAILED_PRECONDITION',
    `model ${loaded.version.name} v${loaded.version.version} has no published synthesized item feature set version: materialize one from it before asking for recommendations`,
  );
}
