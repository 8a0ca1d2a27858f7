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

export interface CopyUnchangedResult {
  readonly copied: number;
  /**
   * Row ids (item.id / app_user.id, as text) of the partition's entities that were not copied:
   * their inputs changed, or the base version has no row for them. They are the ones to compute.
   */
  readonly toCompute: string[];
}

/**
 * Incremental materialization: copies, in one statement, the previous version's rows of one
 * partition's entities that still exist and whose inputs did not change, into the target version
 * while it is pending (the same share lock on the version row as writeFeatureValues), and names
 * the partition's other entities, the ones to compute: the one pass over the partition decides
 * both, so that finding the few changed entities costs no second scan with a probe per entity.
 * Upserts, so a retried partition copies again harmlessly. Returns null when the target is not
 * pending.
 */
export async function copyUnchangedFeatureValues(sql: SqlClient, options: CopyUnchangedOptions): Promise<CopyUnchangedResult | null> {
  const table = ENTITY_TABLE[options.entityType];
  const column = ENTITY_COLUMN[options.entityType];
  const { low, high } = partitionBounds(options.partition, options.partitions);
  // Driven from the partition's entities (a range of the partition-hash index), each probing the
  // base version's row by primary key: the cost follows the partition, not the whole version.
  const [result] = await sql.query<{ pending: boolean; copied: number; to_compute: string[] | null }>(
    `WITH target AS (
       SELECT id FROM feature_set_version WHERE id = $2 AND status = 'pending' FOR SHARE
     ), inputs AS (
       SELECT coalesce(array_agg(id), '{}') AS ids FROM modality WHERE entity_type::text = $8 AND name = ANY($6::text[])
     ), partition_entities AS (
       SELECT e.id, fv.entity_key, fv."values", fv.vector, fv.valid_from,
              fv.entity_key IS NOT NULL
                AND (NOT $7::boolean OR e.updated_at <= $5)
                AND NOT EXISTS (SELECT 1 FROM embedding v
                                 WHERE v.${column} = e.id AND v.modality_id = ANY(inputs.ids) AND v.updated_at > $5) AS unchanged
         FROM ${table} e
         CROSS JOIN inputs
         LEFT JOIN feature_value fv ON fv.version_id = $1 AND fv.entity_key = e.external_id
        WHERE ${entityPartitionSql('e.external_id', '$3', '$4')}
     ), copied AS (
       INSERT INTO feature_value (version_id, entity_key, "values", vector, valid_from)
       SELECT target.id, p.entity_key, p."values", p.vector, p.valid_from
         FROM target CROSS JOIN partition_entities p
        WHERE p.unchanged
       ON CONFLICT (version_id, entity_key) DO UPDATE
         SET "values" = excluded."values", vector = excluded.vector, valid_from = excluded.valid_from, created_at = now()
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM target) AS pending, (SELECT count(*) FROM copied)::int AS copied,
            (SELECT array_agg(id::text ORDER BY id) FROM partition_entities WHERE NOT unchanged) AS to_compute`,
    [options.fromVersionId, options.toVersionId, low, high, options.changedAfter, options.modalities, options.metadataIsInput, options.entityType],
  );
  return result?.pending ? { copied: result.copied, toCompute: result.to_compute ?? [] } : null;
}
