import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { entityPartitionSql, partitionBounds } from './entityPartition.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';

export interface CopyUnchangedOptions {
  readonly fromVersionId: number;
  readonly toVersionId: number;
  readonly entityType: EntityType;
  readonly partition: number;
  readonly partitions: number;
  /** Entities whose inputs changed after this are not copied (they are recomputed). */
  readonly changedAfter: Date;
  /** Modalities whose vector updates count as input changes. */
  readonly modalities: readonly string[];
  /** Whether metadata updates count as input changes (raw, synthesized). */
  readonly metadataIsInput: boolean;
}

/**
 * Incremental materialization: copies, in one statement, the previous version's rows of one
 * partition's entities that still exist and whose inputs did not change, into the target version
 * while it is pending (the same share lock on the version row as writeFeatureValues). Upserts, so
 * a retried partition copies again harmlessly. Returns rows copied, or null when the target is
 * not pending.
 */
export async function copyUnchangedFeatureValues(sql: SqlClient, options: CopyUnchangedOptions): Promise<number | null> {
  const table = ENTITY_TABLE[options.entityType];
  const column = ENTITY_COLUMN[options.entityType];
  const { low, high } = partitionBounds(options.partition, options.partitions);
  // Driven from the partition's entities (a range of the partition-hash index), each probing the
  // base version's row by primary key: the cost follows the partition, not the whole version.
  const [result] = await sql.query<{ pending: boolean; copied: number }>(
    `WITH target AS (
       SELECT id FROM feature_set_version WHERE id = $2 AND status = 'pending' FOR SHARE
     ), inputs AS (
       SELECT coalesce(array_agg(id), '{}') AS ids FROM modality WHERE entity_type::text = $8 AND name = ANY($6::text[])
     ), copied AS (
       INSERT INTO feature_value (version_id, entity_key, "values", vector, valid_from)
       SELECT target.id, fv.entity_key, fv."values", fv.vector, fv.valid_from
         FROM target
         CROSS JOIN inputs
         CROSS JOIN ${table} e
         JOIN feature_value fv ON fv.version_id = $1 AND fv.entity_key = e.external_id
        WHERE ${entityPartitionSql('e.external_id', '$3', '$4')}
          AND (NOT $7::boolean OR e.updated_at <= $5)
          AND NOT EXISTS (SELECT 1 FROM embedding v
                           WHERE v.${column} = e.id AND v.modality_id = ANY(inputs.ids) AND v.updated_at > $5)
       ON CONFLICT (version_id, entity_key) DO UPDATE
         SET "values" = excluded."values", vector = excluded.vector, valid_from = excluded.valid_from, created_at = now()
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM target) AS pending, (SELECT count(*) FROM copied)::int AS copied`,
    [options.fromVersionId, options.toVersionId, low, high, options.changedAfter, options.modalities, options.metadataIsInput, options.entityType],
  );
  return result?.pending ? result.copied : null;
}
