import type { SqlClient } from '../db/Database.ts';

export interface VectorDelta {
  /** Rows of the version with a vector. */
  readonly rows: number;
  /** Entity keys whose vector is absent from, or differs from, the base version's (sorted). */
  readonly keys: string[];
}

/**
 * Compares the vectors one version stores (all of a full version's; a delta version's delta only)
 * with an earlier version's, entity by entity, in one statement (a primary-key probe into the base
 * per row). Equal vectors are equal component by component.
 */
export async function readVectorDelta(sql: SqlClient, versionId: number, baseVersionId: number): Promise<VectorDelta> {
  const [row] = await sql.query<{ rows: number; keys: string[] | null }>(
    `SELECT count(*)::int AS rows,
            array_agg(n.entity_key ORDER BY n.entity_key) FILTER (WHERE o.entity_key IS NULL OR o.vector IS DISTINCT FROM n.vector) AS keys
       FROM feature_value n
       LEFT JOIN feature_value o ON o.version_id = $2 AND o.entity_key = n.entity_key
      WHERE n.version_id = $1 AND n.vector IS NOT NULL`,
    [versionId, baseVersionId],
  );
  return { rows: row?.rows ?? 0, keys: row?.keys ?? [] };
}

/** The entity keys a version stores rows for itself (a delta version's delta). */
export async function readStoredKeys(sql: SqlClient, versionId: number): Promise<string[]> {
  const rows = await sql.query<{ entity_key: string }>('SELECT entity_key FROM feature_value WHERE version_id = $1', [versionId]);
  return rows.map((row) => row.entity_key);
}
