import type { SqlClient } from '../db/Database.ts';

/** The external ids of every item a user has an event with (what recommendations leave out). */
export async function readUserItems(sql: SqlClient, userId: string): Promise<string[]> {
  const rows = await sql.query<{ external_id: string }>(
    `SELECT DISTINCT i.external_id
       FROM app_user u JOIN event e ON e.user_id = u.id JOIN item i ON i.id = e.item_id
      WHERE u.external_id = $1`,
    [userId],
  );
  return rows.map((row) => row.external_id);
}
