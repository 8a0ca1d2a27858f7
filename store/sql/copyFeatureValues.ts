import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';
import { entityPartitionSql, partitionBounds } from './entityPartition.ts';
import { ENTITY_COLUMN, ENTITY_TABLE } from './entityTables.ts';
import { layoutRowsSql } from './versionRows.ts';

/**
 * Which of the previous version's unchanged rows an incremental run stores in its new version:
 * - 'every': all of them (a full version: the first incremental after a full one with too many
 *   changes, or the compaction of a delta that grew past MAX_DELTA_SHARE);
 * - 'delta': only those the previous version stores itself when it is a delta (a few); the rest
 *   are the new delta version's through its row base, which is the previous version's row base
 *   (or the previous version itself when it is full): nothing of it is copied.
 */
export type CopiedRows = 'every' | 'delta';

export interface CopyUnchangedOptions {
  /** The version compared against (the latest published when the run was planned), and its row base. */
  readonly fromVersionId: number;
  readonly fromRowBaseVersionId: number | null;
  readonly toVersionId: number;
  readonly copy: CopiedRows;
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
  /** Unchanged entities whose rows the new version has: stored now, or through its row base. */
  readonly copied: number;
  /** Of those, the rows stored by this statement. */
  readonly stored: number;
  /**
   * Row ids (item.id / app_user.id, as text) of the partition's entities that were not copied:
   * their inputs changed, or the previous version has no row for them. They are the ones to compute.
   */
  readonly toCompute: string[];
}

/**
 * Incremental materialization: in one statement over one partition's entities, finds those whose
 * inputs did not change since the previous version was created and that it has a row for (its
 * own or its row base's: versionRows.ts), stores the ones `copy` says into the target version
 * while it is pending (the same share lock on the version row as writeFeatureValues), and names
 * the partition's other entities, the ones to compute: the one pass over the partition decides
 * both, so that finding the few changed entities costs no second scan. Upserts, so a retried
 * partition copies again harmlessly. Returns null when the target is not pending.
 */
export async function copyUnchangedFeatureValues(sql: SqlClient, options: CopyUnchangedOptions): Promise<CopyUnchangedResult | null> {
  const table = ENTITY_TABLE[options.entityType];
  const column = ENTITY_COLUMN[options.entityType];
  const { low, high } = partitionBounds(options.partition, options.partitions);
  const previous = { versionId: options.fromVersionId, rowBaseVersionId: options.fromRowBaseVersionId };
  // A delta version stores, of the unchanged rows, only a previous delta's own (none when the
  // previous version is full: it is the new version's row base).
  const stored = options.copy === 'every' ? 'true' : previous.rowBaseVersionId === null ? 'false' : `p.stored_version_id = ${previous.versionId}`;
  // Driven from the partition's entities (a range of the partition-hash index), each probing the
  // previous version's rows by primary key: the cost follows the partition, not the whole version.
  const [result] = await sql.query<{ pending: boolean; copied: number; stored: number; to_compute: string[] | null }>(
    `WITH target AS (
       SELECT id FROM feature_set_version WHERE id = $1 AND status = 'pending' FOR SHARE
     ), inputs AS (
       SELECT coalesce(array_agg(id), '{}') AS ids FROM modality WHERE entity_type::text = $7 AND name = ANY($5::text[])
     ), partition_entities AS (
       SELECT e.id, fv.entity_key, fv."values", fv.vector, fv.valid_from, fv.stored_version_id,
              fv.entity_key IS NOT NULL
                AND (NOT $6::boolean OR e.updated_at <= $4)
                AND NOT EXISTS (SELECT 1 FROM embedding v
                                 WHERE v.${column} = e.id AND v.modality_id = ANY(inputs.ids) AND v.updated_at > $4) AS unchanged
         FROM ${table} e
         CROSS JOIN inputs
         LEFT JOIN LATERAL ${layoutRowsSql(previous, 'fv.entity_key = e.external_id')} fv ON true
        WHERE ${entityPartitionSql('e.external_id', '$2', '$3')}
     ), copied AS (
       INSERT INTO feature_value (version_id, entity_key, "values", vector, valid_from)
       SELECT target.id, p.entity_key, p."values", p.vector, p.valid_from
         FROM target CROSS JOIN partition_entities p
        WHERE p.unchanged AND ${stored}
       ON CONFLICT (version_id, entity_key) DO UPDATE
         SET "values" = excluded."values", vector = excluded.vector, valid_from = excluded.valid_from, created_at = now()
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM target) AS pending,
            (SELECT count(*) FROM partition_entities WHERE unchanged)::int AS copied,
            (SELECT count(*) FROM copied)::int AS stored,
            (SELECT array_agg(id::text ORDER BY id) FROM partition_entities WHERE NOT unchanged) AS to_compute`,
    [options.toVersionId, low, high, options.changedAfter, options.modalities, options.metadataIsInput, options.entityType],
  );
  return result?.pending ? { copied: result.copied, stored: result.stored, toCompute: result.to_compute ?? [] } : null;
}
