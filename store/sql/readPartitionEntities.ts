import type { SqlClient } from '../db/Database.ts';
import type { EntityType, Metadata } from '../ingest/records.ts';
import { entityPartitionSql } from './entityPartition.ts';
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
   * Incremental: only entities whose inputs changed after this time, or that have no row in
   * `missingFromVersionId` yet. Absent: every entity of the partition.
   */
  readonly changedSince?: { readonly at: Date; readonly missingFromVersionId: number };
  readonly batchSize: number;
}

/**
 * Reads one partition's entities in keyset pages of `batchSize` (two queries a page: the rows,
 * then their vectors).
 */
export async function* readPartitionEntities(sql: SqlClient, entityType: EntityType, options: ReadPartitionOptions): AsyncGenerator<PartitionEntity[]> {
  const table = ENTITY_TABLE[entityType];
  const column = ENTITY_COLUMN[entityType];
  let after = '0';
  for (;;) {
    const rows = await sql.query<{ row_id: string; external_id: string; metadata: unknown; updated_at: Date | string }>(
      `SELECT e.id::text AS row_id, e.external_id, e.metadata, e.updated_at
         FROM ${table} e
        WHERE e.id > $1::bigint
          AND ${entityPartitionSql('e.external_id', '$3')} = $4
          AND ($5::timestamptz IS NULL
               OR ($8::boolean AND e.updated_at > $5)
               OR NOT EXISTS (SELECT 1 FROM feature_value fv WHERE fv.version_id = $6 AND fv.entity_key = e.external_id)
               OR EXISTS (SELECT 1 FROM embedding v JOIN modality m ON m.id = v.modality_id
                           WHERE v.${column} = e.id AND m.name = ANY($7::text[]) AND v.updated_at > $5))
          AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM embedding v JOIN modality m ON m.id = v.modality_id
                                            WHERE v.${column} = e.id AND m.name = $9 AND m.entity_type::text = $10))
        ORDER BY e.id
        LIMIT $2`,
      [after, options.batchSize, options.partitions, options.partition, options.changedSince?.at ?? null, options.changedSince?.missingFromVersionId ?? null, options.modalities, options.metadataIsInput, options.requiredModality, entityType],
    );
    if (rows.length === 0) return;
    const entities = new Map<string, PartitionEntity>();
    for (const row of rows) {
      entities.set(row.row_id, { externalId: row.external_id, metadata: parseMetadata(row.metadata), vectors: {}, metadataUpdatedAt: new Date(row.updated_at), vectorsUpdatedAt: {} });
    }
    if (options.modalities.length > 0) {
      const vectors = await sql.query<{ entity_id: string; name: string; vector: unknown; updated_at: Date | string }>(
        `SELECT v.${column}::text AS entity_id, m.name, v.vector::text AS vector, v.updated_at
           FROM embedding v JOIN modality m ON m.id = v.modality_id
          WHERE v.${column} = ANY($1::bigint[]) AND m.entity_type::text = $2 AND m.name = ANY($3::text[])`,
        [rows.map((row) => row.row_id), entityType, options.modalities],
      );
      for (const row of vectors) {
        const entity = entities.get(row.entity_id);
        if (!entity) continue;
        entity.vectors[row.name] = parseVector(row.vector);
        entity.vectorsUpdatedAt[row.name] = new Date(row.updated_at);
      }
    }
    yield [...entities.values()];
    after = rows[rows.length - 1]!.row_id;
    if (rows.length < options.batchSize) return;
  }
}

function parseMetadata(value: unknown): Metadata {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Metadata) : {};
}
