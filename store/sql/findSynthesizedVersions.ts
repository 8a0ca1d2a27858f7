import type { SqlClient } from '../db/Database.ts';
import type { EntityType } from '../ingest/records.ts';

/** A published version of a synthesized feature set, made by one model version. */
export interface SynthesizedVersion {
  readonly featureSet: string;
  readonly version: number;
  readonly versionId: number;
  readonly dimension: number;
  /** The feature set's TTL: values older than this are not served (null: none). */
  readonly ttlSeconds: number | null;
}

/**
 * The newest published version, per entity type, of the synthesized feature sets materialized
 * from `modelVersionId`: where serving reads the synthetic features that model produced. One
 * statement.
 */
export async function findSynthesizedVersions(sql: SqlClient, modelVersionId: number): Promise<Partial<Record<EntityType, SynthesizedVersion>>> {
  const rows = await sql.query<{ entity_type: EntityType; name: string; version: number; id: number; schema: unknown; ttl_seconds: number | null }>(
    `SELECT DISTINCT ON (fs.entity_type) fs.entity_type::text AS entity_type, fs.name, v.version, v.id, v.schema, fs.ttl_seconds
       FROM feature_set_version v JOIN feature_set fs ON fs.id = v.feature_set_id
      WHERE v.model_version_id = $1 AND v.status = 'published' AND fs.kind = 'synthesized'
      ORDER BY fs.entity_type, v.published_at DESC`,
    [modelVersionId],
  );
  const found: Partial<Record<EntityType, SynthesizedVersion>> = {};
  for (const row of rows) {
    const schema = (typeof row.schema === 'string' ? JSON.parse(row.schema) : row.schema) as { features: { type: string; dimension?: number }[] };
    const vector = schema.features.find((feature) => feature.type === 'vector');
    if (vector?.dimension) found[row.entity_type] = { featureSet: row.name, version: row.version, versionId: row.id, dimension: vector.dimension, ttlSeconds: row.ttl_seconds };
  }
  return found;
}
