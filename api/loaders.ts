/**
 * Per-request DataLoaders: every lookup of an entity or a registry record by key goes through
 * one, so a query touching 100 items costs one statement per kind of record, not one per item.
 * Made fresh for each request (each loader on first use), so nothing cached outlives it.
 */
import DataLoader from 'dataloader';
import type { Database } from '../store/db/Database.ts';
import type { EntityType } from '../store/ingest/records.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from '../store/sql/entityTables.ts';
import { parseVector } from '../store/sql/readEntities.ts';
import { listRuns, type RunProgress } from '../jobs/materialize/runProgress.ts';

export interface EntityRecord {
  readonly entityType: EntityType;
  readonly id: string;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface EmbeddingRecord {
  readonly modality: string;
  readonly model: string;
  readonly dimension: number;
  readonly vector: number[];
}

type Prisma = Database['prisma'];
type FeatureSetRow = Awaited<ReturnType<Prisma['featureSet']['findFirstOrThrow']>>;
type VersionRow = Awaited<ReturnType<Prisma['featureSetVersion']['findFirstOrThrow']>>;
type TrainingRunRow = Awaited<ReturnType<Prisma['trainingRun']['findFirstOrThrow']>>;
type SnapshotRow = Awaited<ReturnType<Prisma['dataSnapshot']['findFirstOrThrow']>>;
type RunRow = Awaited<ReturnType<Prisma['materializationRun']['findFirstOrThrow']>>;

/** A model version without its weights (which only scoring loads). */
export const MODEL_VERSION_FIELDS = { id: true, name: true, version: true, config: true, metrics: true, trainingRunId: true, createdAt: true } as const;
export type ModelVersionRow = Awaited<ReturnType<Prisma['modelVersion']['findFirstOrThrow']>> extends infer R ? Pick<R & object, keyof typeof MODEL_VERSION_FIELDS & keyof R> : never;

export interface Loaders {
  readonly user: DataLoader<string, EntityRecord | null>;
  readonly item: DataLoader<string, EntityRecord | null>;
  readonly userEmbeddings: DataLoader<string, EmbeddingRecord[]>;
  readonly itemEmbeddings: DataLoader<string, EmbeddingRecord[]>;
  readonly featureSetByName: DataLoader<string, FeatureSetRow | null>;
  readonly featureSetById: DataLoader<number, FeatureSetRow | null>;
  readonly versionById: DataLoader<number, VersionRow | null>;
  readonly versionsOfFeatureSet: DataLoader<number, VersionRow[]>;
  readonly versionsOfModel: DataLoader<number, VersionRow[]>;
  readonly modelVersion: DataLoader<number, ModelVersionRow | null>;
  readonly modelVersionsOfRun: DataLoader<number, ModelVersionRow[]>;
  readonly trainingRun: DataLoader<number, TrainingRunRow | null>;
  readonly dataSnapshot: DataLoader<number, SnapshotRow | null>;
  readonly runsOfVersion: DataLoader<number, RunRow[]>;
  readonly runProgress: DataLoader<number, RunProgress | null>;
}

type LoaderDb = Pick<Database, 'sql' | 'prisma'>;

const byKey = <K, R>(rows: readonly R[], keyOf: (row: R) => K) => (keys: readonly K[]) => {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? null);
};
const grouped = <K, R>(rows: readonly R[], keyOf: (row: R) => K, keys: readonly K[]) => {
  const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key)!);
};
const entities = (db: LoaderDb, entityType: EntityType) => new DataLoader<string, EntityRecord | null>(async (ids) => byKey(await readEntityRecords(db, entityType, ids), (row) => row.id)(ids));
const embeddings = (db: LoaderDb, entityType: EntityType) => new DataLoader<string, EmbeddingRecord[]>(async (ids) => readEmbeddings(db, entityType, ids));

/** How each loader is made, for one request's store handle. */
const LOADER_FACTORIES: { readonly [K in keyof Loaders]: (db: LoaderDb) => Loaders[K] } = {
  user: (db) => entities(db, 'user'),
  item: (db) => entities(db, 'item'),
  userEmbeddings: (db) => embeddings(db, 'user'),
  itemEmbeddings: (db) => embeddings(db, 'item'),
  featureSetByName: (db) => new DataLoader(async (names) => byKey(await db.prisma.featureSet.findMany({ where: { name: { in: [...names] } } }), (row) => row.name)(names)),
  featureSetById: (db) => new DataLoader(async (ids) => byKey(await db.prisma.featureSet.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id)(ids)),
  versionById: (db) => new DataLoader(async (ids) => byKey(await db.prisma.featureSetVersion.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id)(ids)),
  versionsOfFeatureSet: (db) => new DataLoader(async (ids) =>
    grouped(await db.prisma.featureSetVersion.findMany({ where: { featureSetId: { in: [...ids] } }, orderBy: { version: 'asc' } }), (row) => row.featureSetId, ids)),
  versionsOfModel: (db) => new DataLoader(async (ids) =>
    grouped(await db.prisma.featureSetVersion.findMany({ where: { modelVersionId: { in: [...ids] } }, orderBy: { id: 'asc' } }), (row) => row.modelVersionId!, ids)),
  modelVersion: (db) => new DataLoader(async (ids) => byKey(await db.prisma.modelVersion.findMany({ where: { id: { in: [...ids] } }, select: MODEL_VERSION_FIELDS }), (row) => row.id)(ids)),
  modelVersionsOfRun: (db) => new DataLoader(async (ids) =>
    grouped(await db.prisma.modelVersion.findMany({ where: { trainingRunId: { in: [...ids] } }, select: MODEL_VERSION_FIELDS, orderBy: { id: 'asc' } }), (row) => row.trainingRunId!, ids)),
  trainingRun: (db) => new DataLoader(async (ids) => byKey(await db.prisma.trainingRun.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id)(ids)),
  dataSnapshot: (db) => new DataLoader(async (ids) => byKey(await db.prisma.dataSnapshot.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id)(ids)),
  runsOfVersion: (db) => new DataLoader(async (ids) =>
    grouped(await db.prisma.materializationRun.findMany({ where: { featureSetVersionId: { in: [...ids] } }, orderBy: { id: 'asc' } }), (row) => row.featureSetVersionId, ids)),
  runProgress: (db) => new DataLoader(async (ids) => byKey(await listRuns(db, { runIds: ids }), (run) => run.runId)(ids)),
};

/**
 * One request's loaders, each made on first use: most requests use one or two of the fifteen, and
 * making all of them was ~6.5 KB of garbage per request, which the hottest reads (features of one
 * entity, ~65 KB in all) pay for in young-generation collections. The getters live on the
 * prototype, so a request allocates this object and its cache only.
 */
class LazyLoaders {
  readonly #db: LoaderDb;
  readonly #made: Partial<Record<keyof Loaders, unknown>> = {};

  constructor(db: LoaderDb) {
    this.#db = db;
  }

  static {
    for (const name of Object.keys(LOADER_FACTORIES) as (keyof Loaders)[]) {
      Object.defineProperty(LazyLoaders.prototype, name, {
        enumerable: true,
        get(this: LazyLoaders) {
          return (this.#made[name] ??= LOADER_FACTORIES[name](this.#db));
        },
      });
    }
  }
}

export function createLoaders(db: LoaderDb): Loaders {
  // The static block gave LazyLoaders one getter per key of Loaders (LOADER_FACTORIES is typed by them).
  return new LazyLoaders(db) as unknown as Loaders;
}

async function readEntityRecords(db: Pick<Database, 'sql'>, entityType: EntityType, ids: readonly string[]): Promise<EntityRecord[]> {
  const rows = await db.sql.query<{ external_id: string; metadata: unknown; created_at: Date | string; updated_at: Date | string }>(
    `SELECT external_id, metadata, created_at, updated_at FROM ${ENTITY_TABLE[entityType]} WHERE external_id = ANY($1::text[])`,
    [ids],
  );
  return rows.map((row) => ({
    entityType,
    id: row.external_id,
    metadata: (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }));
}

async function readEmbeddings(db: Pick<Database, 'sql'>, entityType: EntityType, ids: readonly string[]): Promise<EmbeddingRecord[][]> {
  const rows = await db.sql.query<{ external_id: string; name: string; model_name: string; dimension: number; vector: unknown }>(
    `SELECT e.external_id, m.name, m.model_name, m.dimension, emb.vector::text AS vector
       FROM ${ENTITY_TABLE[entityType]} e
       JOIN embedding emb ON emb.${ENTITY_COLUMN[entityType]} = e.id
       JOIN modality m ON m.id = emb.modality_id
      WHERE e.external_id = ANY($1::text[])
      ORDER BY m.name`,
    [ids],
  );
  const groups = new Map<string, EmbeddingRecord[]>(ids.map((id) => [id, []]));
  for (const row of rows) {
    groups.get(row.external_id)?.push({ modality: row.name, model: row.model_name, dimension: row.dimension, vector: Array.from(parseVector(row.vector)) });
  }
  return ids.map((id) => groups.get(id)!);
}
