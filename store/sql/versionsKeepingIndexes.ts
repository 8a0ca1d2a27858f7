import type { SqlClient } from '../db/Database.ts';

/**
 * SQL of the versions whose HNSW indexes searches need (columns id, feature_set_id): per feature
 * set, the `keep` highest published versions, the ANN bases
 * (feature_set_version.ann_base_version_id) they are searched through, and the row bases of the
 * delta versions among them (whose reads go to the base's rows). `$1` is a feature set id
 * (NULL: every feature set) and `$2` is `keep`.
 */
export const KEPT_VERSIONS_SQL = `
  WITH latest AS (
    SELECT id, feature_set_id, ann_base_version_id, row_base_version_id,
           row_number() OVER (PARTITION BY feature_set_id ORDER BY version DESC) AS rank
      FROM feature_set_version
     WHERE status = 'published' AND ($1::int IS NULL OR feature_set_id = $1::int)
  )
  SELECT id, feature_set_id FROM latest WHERE rank <= $2::int
  UNION
  SELECT ann_base_version_id, feature_set_id FROM latest WHERE rank <= $2::int AND ann_base_version_id IS NOT NULL
  UNION
  SELECT row_base_version_id, feature_set_id FROM latest WHERE rank <= $2::int AND row_base_version_id IS NOT NULL`;

/**
 * Versions that are searched through HNSW indexes of their own (no ANN base) and that searches
 * need indexed: the kept versions (KEPT_VERSIONS_SQL) of one feature set, or of all, newest first.
 * Whether they have their indexes yet, and whether their vectors can have any, is the caller's
 * to check.
 */
export async function versionsKeepingIndexes(sql: SqlClient, featureSetId: number | null, keep: number): Promise<number[]> {
  checkKeep(keep);
  const rows = await sql.query<{ id: number }>(
    `SELECT v.id
       FROM feature_set_version v JOIN (${KEPT_VERSIONS_SQL}) kept ON kept.id = v.id
      WHERE v.ann_base_version_id IS NULL AND v.row_base_version_id IS NULL AND v.status IN ('published', 'deprecated')
      ORDER BY v.id DESC`,
    [featureSetId, keep],
  );
  return rows.map((row) => row.id);
}

export function checkKeep(keep: number): void {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be an integer >= 1, got ${keep}`);
}
