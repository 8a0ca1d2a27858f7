import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';

export interface EmbeddingRow {
  readonly externalId: string;
  readonly vector: readonly number[];
}

/**
 * Writes one modality's vectors for users or items (by external id), replacing a stored vector
 * only where it differs. Ids must be unique within one call and known to the store.
 * Returns how many rows were written.
 */
export async function upsertEmbeddings(
  sql: SqlClient,
  modality: { readonly id: number; readonly entityType: EntityType },
  rows: readonly EmbeddingRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const column = ENTITY_COLUMN[modality.entityType];
  const [result] = await sql.query<{ written: number }>(
    `WITH written AS (
       INSERT INTO embedding (modality_id, ${column}, vector)
       SELECT $1, e.id, x.vector::vector
         FROM unnest($2::text[], $3::text[]) AS x(external_id, vector)
         JOIN ${ENTITY_TABLE[modality.entityType]} e ON e.external_id = x.external_id
       ON CONFLICT (modality_id, ${column}) DO UPDATE
         SET vector = excluded.vector, updated_at = now()
         WHERE embedding.vector IS DISTINCT FROM excluded.vector
       RETURNING 1
     )
     SELECT count(*)::int AS written FROM written`,
    [modality.id, rows.map((row) => row.externalId), rows.map((row) => toVectorLiteral(row.vector))],
  );
  return result?.written ?? 0;
}

/** pgvector's text form: [1,2,3]. */
export function toVectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}
