import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';

export interface NewMaterializationRun {
  readonly featureSetVersionId: number;
  readonly modelVersionId: number | null;
  readonly mode: 'full' | 'incremental';
  readonly entityType: EntityType;
  readonly partitions: number;
  /** Embedding sets: only entities with a vector of this modality are counted (the others get no row). */
  readonly requiredModality: string | null;
}

/**
 * Creates a run and its queued partitions in one statement. rows_total is the number of entities
 * at planning time that the run will give a row (all, or those with the modality vector of an
 * embedding set): progress counts entities handled (computed or copied).
 */
export async function createMaterializationRun(sql: SqlClient, run: NewMaterializationRun): Promise<{ id: number; rowsTotal: number }> {
  const [row] = await sql.query<{ id: number; rows_total: number }>(
    `WITH run AS (
       INSERT INTO materialization_run (feature_set_version_id, model_version_id, mode, status, rows_total)
       VALUES ($1, $2, $3::materialization_mode, 'queued',
               (SELECT count(*) FROM ${ENTITY_TABLE[run.entityType]} e
                 WHERE $5::text IS NULL OR EXISTS (SELECT 1 FROM embedding v JOIN modality m ON m.id = v.modality_id
                                                    WHERE v.${ENTITY_COLUMN[run.entityType]} = e.id AND m.name = $5 AND m.entity_type::text = $6)))
       RETURNING id, rows_total
     ), parts AS (
       INSERT INTO materialization_partition (run_id, partition)
       SELECT run.id, p FROM run CROSS JOIN generate_series(0, $4::int - 1) AS p
     )
     SELECT id, rows_total FROM run`,
    [run.featureSetVersionId, run.modelVersionId, run.mode, run.partitions, run.requiredModality, run.entityType],
  );
  return { id: row!.id, rowsTotal: row!.rows_total };
}
