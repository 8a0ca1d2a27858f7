import type { SqlClient } from '../db/Database.ts';
import type { EntityType, Metadata } from '../ingest/records.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';

/** A user or item with its metadata and the modality vectors that were asked for. */
export interface StoredEntity {
  readonly externalId: string;
  readonly metadata: Metadata;
  /** Vectors by modality name; a modality the entity has no vector for is absent. */
  readonly vectors: Record<string, Float32Array>;
}

export interface ReadEntitiesOptions {
  /** Only these entities (by external id; unknown ids are skipped). Default: all, by id. */
  readonly externalIds?: readonly string[];
  /** Which modality vectors to load: true = all of the entity type, false = none (default). */
  readonly modalities?: boolean | readonly string[];
  /** Rows per query; default 5,000. */
  readonly batchSize?: number;
}

/** Reads users or items with their metadata and, optionally, their modality vectors. */
export async function readEntities(sql: SqlClient, entityType: EntityType, options: ReadEntitiesOptions = {}): Promise<StoredEntity[]> {
  const all: StoredEntity[] = [];
  for await (const batch of readEntityBatches(sql, entityType, options)) all.push(...batch);
  return all;
}

/**
 * Reads entities a batch at a time: by keyset pagination over the primary key when reading all,
 * or by chunks of the requested external ids (in the order given). Each batch costs two
 * queries: the rows, then the vectors of exactly those rows.
 */
export async function* readEntityBatches(
  sql: SqlClient,
  entityType: EntityType,
  options: ReadEntitiesOptions = {},
): AsyncGenerator<StoredEntity[]> {
  const batchSize = options.batchSize ?? 5_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const table = ENTITY_TABLE[entityType];
  if (options.externalIds) {
    for (let start = 0; start < options.externalIds.length; start += batchSize) {
      const ids = options.externalIds.slice(start, start + batchSize);
      const rows = await sql.query<EntityRowText>(
        `SELECT e.id::text AS row_id, e.external_id, e.metadata
           FROM unnest($1::text[]) WITH ORDINALITY AS x(external_id, position)
           JOIN ${table} e ON e.external_id = x.external_id
          ORDER BY x.position`,
        [ids],
      );
      if (rows.length > 0) yield await withVectors(sql, entityType, rows, options.modalities ?? false);
    }
    return;
  }
  let after = '0';
  for (;;) {
    const rows = await sql.query<EntityRowText>(
      // Ordered by the bigint column: an output column named "id" (text) would order as text.
      `SELECT e.id::text AS row_id, e.external_id, e.metadata FROM ${table} e WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2`,
      [after, batchSize],
    );
    if (rows.length === 0) return;
    yield await withVectors(sql, entityType, rows, options.modalities ?? false);
    after = rows[rows.length - 1]!.row_id;
    if (rows.length < batchSize) return;
  }
}

type EntityRowText = {
  readonly row_id: string;
  readonly external_id: string;
  readonly metadata: unknown;
};

async function withVectors(
  sql: SqlClient,
  entityType: EntityType,
  rows: readonly EntityRowText[],
  modalities: boolean | readonly string[],
): Promise<StoredEntity[]> {
  const byId = new Map<string, StoredEntity>();
  const entities = rows.map((row) => {
    const entity: StoredEntity = { externalId: row.external_id, metadata: parseMetadata(row.metadata), vectors: {} };
    byId.set(row.row_id, entity);
    return entity;
  });
  if (modalities === false || (Array.isArray(modalities) && modalities.length === 0)) return entities;
  const column = ENTITY_COLUMN[entityType];
  const names = modalities === true ? null : modalities;
  const vectors = await sql.query<{ entity_id: string; name: string; vector: unknown }>(
    `SELECT v.${column}::text AS entity_id, m.name, v.vector::text AS vector
       FROM embedding v
       JOIN modality m ON m.id = v.modality_id
      WHERE v.${column} = ANY($1::bigint[])
        AND m.entity_type::text = $2
        AND ($3::text[] IS NULL OR m.name = ANY($3::text[]))`,
    [rows.map((row) => row.row_id), entityType, names],
  );
  for (const row of vectors) {
    const entity = byId.get(row.entity_id);
    if (entity) entity.vectors[row.name] = parseVector(row.vector);
  }
  return entities;
}

/** JSONB arrives parsed from both drivers, but a text value is parsed here to be safe. */
function parseMetadata(value: unknown): Metadata {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Metadata) : {};
}

/**
 * Parses a pgvector value: its text form "[1,2.5,-3e-05]" (whitespace tolerated), or an array
 * or typed array if a driver already decoded it. Throws on anything that is not a finite list.
 */
export function parseVector(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return checkFinite(Float32Array.from(value as unknown as ArrayLike<number>));
  if (Array.isArray(value)) return checkFinite(Float32Array.from(value, Number));
  if (typeof value !== 'string') throw new TypeError(`expected a vector, got ${typeof value}`);
  const text = value.trim();
  if (!text.startsWith('[') || !text.endsWith(']')) throw new TypeError(`expected a vector like [1,2,3], got "${text.slice(0, 40)}"`);
  const body = text.slice(1, -1).trim();
  if (body === '') return new Float32Array(0);
  const parts = body.split(',');
  const vector = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!.trim();
    const number = part === '' ? Number.NaN : Number(part);
    if (!Number.isFinite(number)) throw new TypeError(`vector value ${i} is not a finite number: "${part}"`);
    vector[i] = number;
  }
  return vector;
}

function checkFinite(vector: Float32Array): Float32Array {
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!)) throw new TypeError(`vector value ${i} is not a finite number`);
  }
  return vector;
}
