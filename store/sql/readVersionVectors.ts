import type { SqlClient } from '../db/Database.ts';
import { parseVectorText } from './readOnlineFeatures.ts';
import { layoutRowsSql, readVersionRowLayout } from './versionRows.ts';

export interface VersionVector {
  readonly entityKey: string;
  readonly vector: number[];
}

/** How many rows of a feature set version (a delta's included: versionRows.ts) carry a vector. */
export async function countVersionVectors(sql: SqlClient, versionId: number): Promise<number> {
  const rows = layoutRowsSql(await readVersionRowLayout(sql, versionId), 'fv.vector IS NOT NULL');
  const [row] = await sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${rows} r`);
  return Number(row?.count ?? 0);
}

/** Every vector of one feature set version (a published version never changes, so this is read once per version). */
export async function readVersionVectors(sql: SqlClient, versionId: number): Promise<VersionVector[]> {
  const rows = layoutRowsSql(await readVersionRowLayout(sql, versionId), 'fv.vector IS NOT NULL');
  const found = await sql.query<{ entity_key: string; vector: string }>(`SELECT r.entity_key, r.vector::text AS vector FROM ${rows} r`);
  return found.map((row) => ({ entityKey: row.entity_key, vector: parseVectorText(row.vector) }));
}
