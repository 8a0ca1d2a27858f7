import type { SqlClient } from '../db/Database.ts';
import { parseVectorText } from './readOnlineFeatures.ts';

export interface VersionVector {
  readonly entityKey: string;
  readonly vector: number[];
}

/** How many rows of a feature set version carry a vector. */
export async function countVersionVectors(sql: SqlClient, versionId: number): Promise<number> {
  const [row] = await sql.query<{ count: number }>('SELECT count(*)::int AS count FROM feature_value WHERE version_id = $1 AND vector IS NOT NULL', [versionId]);
  return Number(row?.count ?? 0);
}

/** Every vector of one feature set version (a published version never changes, so this is read once per version). */
export async function readVersionVectors(sql: SqlClient, versionId: number): Promise<VersionVector[]> {
  const rows = await sql.query<{ entity_key: string; vector: string }>(
    'SELECT entity_key, vector::text AS vector FROM feature_value WHERE version_id = $1 AND vector IS NOT NULL',
    [versionId],
  );
  return rows.map((row) => ({ entityKey: row.entity_key, vector: parseVectorText(row.vector) }));
}
