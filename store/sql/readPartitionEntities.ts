import type { SqlClient } from '../db/Database.ts';
import type { EntityType, Metadata } from '../ingest/records.ts';
import { entityHashSql, entityPartitionSql, partitionBounds } from './entityPartition.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';
import { parseVector } from './readEntities.ts';

/** An entity of one partition, with the inputs a materialization reads. */
export interface PartitionEntity {
  readonly externalId: string;
  readonly metadata: Metadata;
  /** Vectors of the requested modalities by name; absent when the entity has none. */
  readonly vectors: Record<string, Float32Array>;
  /** When its metadata last changed. */
  readonly metadataUpdatedAt: Date;
  /** When each loaded vector last changed. */
  readonly vectorsUpdatedAt: Record<string, Date>;
}

export interface ReadPartitionOptions {
  readonly partition: number;
  readonly partitions: number;
  /** Modality vectors to load (and whose updates count as input changes). */
  readonly modalities: readonly string[];
  /** Whether metadata is an input (raw, synthesized): its updates count as changes. */
  readonly metadataIsInput: boolean;
  /** Only entities that have a vector of this modality (embedding sets: the others get no row). */
  readonly requiredModality: string | null;
  /**
   * Incremental: only these entities of the partition (row ids as text, the ones
   * copyUnchangedFeatureValues did not copy). Absent: every entity of the partition.
   */
  readonly onlyEntityIds?: readonly string[];
  readonly batchSize: number;
}

/**
 * Reads one partition's entities in keyset pages of `batchSize` along the partition-hash index
 * (two queries a page: the rows, then their vectors). Modalities are resolved to ids once, so
 * that every per-entity condition is an index probe.
 */
export async function* readPartitionEntities(sql: SqlClient, entityType: EntityType, options: ReadPartitionOptions): AsyncGenerator<PartitionEntity[]> {
  const table = ENTITY_TABLE[entityType];
  const column = ENTITY_COLUMN[entityType];
  const modalities = await modalityIds(sql, entityType, [...options.modalities, ...(options.requiredModality ? [options.requiredModality] : [])]);
  const inputIds = options.modalities.flatMap((name) => modalities.get(name) ?? []);
  const required = options.requiredModality === null ? null : (modalities.get(options.requiredModality) ?? -1);
  const { low, high } = partitionBounds(options.partition, options.partitions);
  const hash = entityHashSql('e.external_id');
  const params: unknown[] = [low, high, options.batchSize, '-1', '0'];
  const where = [entityPartitionSql('e.external_id', '$1', '$2'), `(${hash}, e.id) > ($4::bigint, $5::bigint)`];
  if (options.onlyEntityIds) {
    if (options.onlyEntityIds.length === 0) return;
    params.push(options.onlyEntityIds);
    where.push(`e.id = ANY($${params.length}::bigint[])`);
  }
  if (required !== null) {
    params.push(required);
    where.push(`EXISTS (SELECT 1 FROM embedding v WHERE v.${column} = e.id AND v.modality_id = $${params.length}::int)`);
  }
  for (;;) {
    const rows = await sql.query<{ row_id: string; hash: string; external_id: string; metadata: unknown; updated_at: Date | string }>(
      `SELECT e.id::text AS row_id, ${hash}::text AS hash, e.external_id, e.metadata, e.updated_at
         FROM ${table} e
        WHERE ${where.join('\n          AND ')}
        ORDER BY ${hash}, e.id
        LIMIT $3`,
      params,
    );
    if (rows.length === 0) return;
    const entities = new Map<string, PartitionEntity>();
    for (const row of rows) {
      entities.set(row.row_id, { externalId: row.external_id, metadata: parseMetadata(row.metadata), vectors: {}, metadataUpdatedAt: new Date(row.updated_at), vectorsUpdatedAt: {} });
    }
    if (inputIds.length > 0) {
      const vectors = await sql.query<{ entity_id: string; modality_id: number; vector: unknown; updated_at: Date | string }>(
        `SELECT v.${column}::text AS entity_id, v.modality_id, v.vector::text AS vector, v.updated_at
           FROM embedding v
          WHERE v.${column} = ANY($1::bigint[]) AND v.modality_id = ANY($2::int[])`,
        [rows.map((row) => row.row_id), inputIds],
      );
      const names = new Map([...modalities].map(([name, id]) => [id, name]));
      for (const row of vectors) {
        const entity = entities.get(row.entity_id);
        const name = names.get(row.modality_id);
        if (!entity || name === undefined) continue;
        entity.vectors[name] = parseVector(row.vector);
        entity.vectorsUpdatedAt[name] = new Date(row.updated_at);
      }
    }
    yield [...entities.values()];
    if (rows.length < options.batchSize) return;
    const last = rows[rows.length - 1]!;
    params[3] = last.hash;
    params[4] = last.row_id;
  }
}

async function modalityIds(sql: SqlClient, entityType: EntityType, names: readonly string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  const rows = await sql.query<{ id: number; name: string }>('SELECT id, name FROM modality WHERE entity_type::text = $1 AND name = ANY($2::text[])', [entityType, [...new Set(names)]]);
  return new Map(rows.map((row) => [row.name, row.id]));
}

function parseMetadata(value: unknown): Metadata {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Metadata) : {};
}
