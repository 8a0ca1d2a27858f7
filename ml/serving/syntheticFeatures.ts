/**
 * The synthetic features of some users or items for one model version: the materialized ones
 * (read from the synthesized feature set version that model produced, TTL applied), and, for
 * entities that version lacks (a user or item added since, known only by its metadata and
 * embeddings), the model's companion network run on their stored content now. The second path
 * is what makes a brand-new entity servable before the next materialization.
 */
import type { Database } from '../../store/db/Database.ts';
import { getOnlineFeatures } from '../../store/featureSets/getFeatures.ts';
import type { EntityType } from '../../store/ingest/records.ts';
import type { SynthesizedVersion } from '../../store/sql/findSynthesizedVersions.ts';
import { readEntities } from '../../store/sql/readEntities.ts';
import { EntityTable } from '../data/EntityTable.ts';
import type { LoadedModel } from '../store/modelArtifacts.ts';
import { ServingError } from './ServingError.ts';

export type SyntheticSource = 'materialized' | 'computed';

/** Materialized vectors already in memory (VectorCache, the retrieval indexes): looked up before the database, and told what it returned. */
export interface KnownVectors {
  get(versionId: number, entityKey: string): Float32Array | undefined;
  set(versionId: number, entityKey: string, vector: Float32Array): void;
}

export interface SyntheticFeatures {
  /** [ids.length, synthDim], row r for ids[r]. */
  readonly values: Float32Array;
  readonly dimension: number;
  /** Where each row came from, in id order. */
  readonly sources: SyntheticSource[];
}

/**
 * A served model is never resized, so its synthetic width is read once: getConfig() deep-copies
 * the whole configuration, which showed in the profile of every prediction.
 */
const synthDims = new WeakMap<LoadedModel['model'], number>();
function synthDimOf(loaded: LoadedModel): number {
  let dimension = synthDims.get(loaded.model);
  if (dimension === undefined) synthDims.set(loaded.model, (dimension = loaded.model.getConfig().companion.synthDim));
  return dimension;
}

export async function syntheticFeatures(
  db: Database,
  loaded: LoadedModel,
  entityType: EntityType,
  ids: readonly string[],
  materialized: SynthesizedVersion | undefined,
  cache?: KnownVectors,
): Promise<SyntheticFeatures> {
  const dimension = synthDimOf(loaded);
  const values = new Float32Array(ids.length * dimension);
  const sources: SyntheticSource[] = new Array(ids.length).fill('computed');
  const missing = new Set(ids);
  if (materialized && materialized.dimension === dimension && ids.length > 0) {
    const cacheable = cache && materialized.ttlSeconds === null ? cache : undefined;
    const toRead: string[] = [];
    ids.forEach((id, r) => {
      const hit = cacheable?.get(materialized.versionId, id);
      if (!hit) return void toRead.push(id);
      values.set(hit, r * dimension);
      sources[r] = 'materialized';
      missing.delete(id);
    });
    if (toRead.length > 0) {
      const read = await getOnlineFeatures(db, { featureSet: materialized.featureSet, version: materialized.version, entityKeys: [...new Set(toRead)] });
      const found = new Map<string, Float32Array>();
      for (const row of read.rows) {
        if (row.status !== 'ok' || row.vector === null) continue;
        const vector = Float32Array.from(row.vector);
        found.set(row.entityKey, vector);
        cacheable?.set(materialized.versionId, row.entityKey, vector);
      }
      ids.forEach((id, r) => {
        const vector = found.get(id);
        if (!vector) return;
        values.set(vector, r * dimension);
        sources[r] = 'materialized';
        missing.delete(id);
      });
    }
  }
  if (missing.size > 0) await computeMissing(db, loaded, entityType, ids, [...missing], values, dimension);
  return { values, dimension, sources };
}

async function computeMissing(
  db: Database,
  loaded: LoadedModel,
  entityType: EntityType,
  ids: readonly string[],
  missing: readonly string[],
  out: Float32Array,
  dimension: number,
): Promise<void> {
  const entities = await readEntities(db.sql, entityType, { externalIds: missing, modalities: true });
  if (entities.length < missing.length) {
    const found = new Set(entities.map((entity) => entity.externalId));
    const unknown = missing.filter((id) => !found.has(id));
    throw new ServingError('NOT_FOUND', `no ${entityType}${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 10).map((id) => `"${id}"`).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''} in the store`);
  }
  const encoder = entityType === 'user' ? loaded.features.userEncoder : loaded.features.itemEncoder;
  const table = EntityTable.encode(encoder, entities);
  const synthesized = loaded.model.synthesize(entityType, table.inputs);
  const computed = synthesized.dataSync();
  synthesized.dispose();
  const computedRow = new Map(entities.map((entity, e) => [entity.externalId, e]));
  ids.forEach((id, r) => {
    const e = computedRow.get(id);
    if (e !== undefined) out.set(computed.subarray(e * dimension, (e + 1) * dimension), r * dimension);
  });
}
