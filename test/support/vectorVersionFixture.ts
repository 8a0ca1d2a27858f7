/**
 * A synthesized vector feature set over seeded random item vectors, for the tests of vector
 * versions and their HNSW indexes: items, model versions, the feature set, and publishing.
 */
import { makeRandom } from '../../ml/model/seeds.ts';
import type { Database } from '../../store/db/Database.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { createPendingVersion, publishVersion, writeFeatureValues, type FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import { registerModelVersion } from '../../store/registry/modelVersions.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';

export interface VectorVersionFixture {
  readonly keys: readonly string[];
  /** One id per model version registered (`models` of them, all of the fixture's model name). */
  readonly modelIds: readonly number[];
  randomVector(): number[];
  /** A vector for every key. */
  freshVectors(): Map<string, number[]>;
  /** Writes the vectors as a new version of the feature set and publishes it. */
  publish(vectors: ReadonlyMap<string, number[]>, options?: { readonly modelVersionId?: number; readonly indexes?: 'later' }): Promise<FeatureSetVersionInfo>;
}

export interface VectorVersionFixtureOptions {
  readonly featureSet: string;
  readonly model: string;
  readonly dimension: number;
  readonly items: number;
  readonly models?: number;
  readonly seed?: number;
}

export async function vectorVersionFixture(db: Database, options: VectorVersionFixtureOptions): Promise<VectorVersionFixture> {
  const random = makeRandom(options.seed ?? 11);
  const randomVector = (): number[] => Array.from({ length: options.dimension }, () => random() * 2 - 1);
  const keys = Array.from({ length: options.items }, (_, i) => `item-${i}`);
  await upsertEntities(db.sql, 'item', keys.map((externalId) => ({ externalId, metadata: {} })));
  const modelIds: number[] = [];
  for (let m = 0; m < (options.models ?? 1); m++) {
    const registered = await registerModelVersion(db, { name: options.model, config: { name: `${options.model}-${m + 1}` }, artifacts: {}, weights: new Uint8Array(1) });
    modelIds.push(registered.id);
  }
  await registerFeatureSet(db, {
    name: options.featureSet, entityType: 'item', kind: 'synthesized', owner: 'team-recs', source: { model: options.model },
    features: [{ name: 'synthetic', type: 'vector', dimension: options.dimension }],
  });
  return {
    keys,
    modelIds,
    randomVector,
    freshVectors: () => new Map(keys.map((key) => [key, randomVector()])),
    async publish(vectors, publishOptions = {}) {
      const version = await createPendingVersion(db, options.featureSet, { modelVersionId: publishOptions.modelVersionId ?? modelIds[0]! });
      await writeFeatureValues(db, version, [...vectors].map(([entityKey, vector]) => ({ entityKey, values: {}, vector, validFrom: '2025-01-01T00:00:00Z' })));
      return publishVersion(db, version.id, publishOptions.indexes ? { indexes: publishOptions.indexes } : {});
    },
  };
}
