import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';

export interface ModalityRow {
  readonly id: number;
  readonly entityType: EntityType;
  readonly name: string;
  readonly modelName: string;
  readonly dimension: number;
}

export async function loadModalities(sql: SqlClient): Promise<ModalityRow[]> {
  const rows = await sql.query<{ id: number; entity_type: EntityType; name: string; model_name: string; dimension: number }>(
    'SELECT id, entity_type, name, model_name, dimension FROM modality ORDER BY id',
  );
  return rows.map((row) => ({
    id: row.id,
    entityType: row.entity_type,
    name: row.name,
    modelName: row.model_name,
    dimension: row.dimension,
  }));
}

/**
 * Records a modality and creates its HNSW index. The embedding column holds vectors of every
 * dimension, so each modality gets a partial index over its rows cast to its fixed dimension;
 * nearest-neighbour queries must use the same cast and predicate (see embeddingIndexName).
 */
export async function registerModality(
  sql: SqlClient,
  modality: Omit<ModalityRow, 'id'>,
): Promise<ModalityRow> {
  const [row] = await sql.query<{ id: number }>(
    `INSERT INTO modality (entity_type, name, model_name, dimension) VALUES ($1, $2, $3, $4) RETURNING id`,
    [modality.entityType, modality.name, modality.modelName, modality.dimension],
  );
  const id = row!.id;
  if (modality.dimension <= 2000) {
    // HNSW indexes vectors of up to 2,000 dimensions; larger ones are searched exactly.
    await sql.exec(
      `CREATE INDEX IF NOT EXISTS ${embeddingIndexName(id)} ON embedding
         USING hnsw ((vector::vector(${modality.dimension})) vector_cosine_ops)
         WHERE modality_id = ${id}`,
    );
  }
  return { ...modality, id };
}

export function embeddingIndexName(modalityId: number): string {
  return `embedding_hnsw_modality_${modalityId}`;
}
