import type { SqlClient } from '../db/Database.ts';
import { featureVectorIndexPrefix, VECTOR_METRICS } from './featureVectorIndex.ts';
import { checkKeep, KEPT_VERSIONS_SQL } from './versionsKeepingIndexes.ts';

/**
 * Readable versions of a feature set whose HNSW indexes no search needs to be fast any more:
 * every version that is neither among the `keep` highest published versions nor the ANN base
 * (feature_set_version.ann_base_version_id) of one of them (KEPT_VERSIONS_SQL), and still has an
 * index. Their rows stay readable and searchable: a search of such a version (pinned, or as the
 * base part of an older delta version) finds no index and scans exactly.
 */
export async function retirableVectorIndexVersions(sql: SqlClient, featureSetId: number, keep: number): Promise<number[]> {
  checkKeep(keep);
  const rows = await sql.query<{ id: number }>(
    `SELECT v.id
       FROM feature_set_version v
      WHERE v.feature_set_id = $1
        AND v.status IN ('published', 'deprecated')
        AND v.id NOT IN (SELECT id FROM (${KEPT_VERSIONS_SQL}) kept)
        AND EXISTS (SELECT 1 FROM pg_class c
                     WHERE c.relnamespace = current_schema()::regnamespace
                       AND c.relname = ANY(ARRAY[${VECTOR_METRICS.map((metric) => `'${featureVectorIndexPrefix(metric)}' || v.id`).join(', ')}]))
      ORDER BY v.id`,
    [featureSetId, keep],
  );
  return rows.map((row) => row.id);
}
