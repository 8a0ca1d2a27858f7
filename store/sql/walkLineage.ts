import type { SqlClient } from '../db/Database.ts';

export interface LineageStep {
  /** The node reached. */
  readonly kind: string;
  readonly id: number;
  /** Its fewest edges from the start node. */
  readonly depth: number;
}

export interface LineageLink {
  readonly fromKind: string;
  readonly fromId: number;
  readonly toKind: string;
  readonly toId: number;
}

/**
 * Walks lineage edges from a node, upstream (towards sources) or downstream (towards consumers),
 * up to `maxDepth` edges away, in one recursive query. Returns every node reached (once, at its
 * smallest depth) and every edge walked, in the edge's own direction.
 */
export async function walkLineage(
  sql: SqlClient,
  start: { readonly kind: string; readonly id: number },
  direction: 'upstream' | 'downstream',
  maxDepth: number,
): Promise<{ nodes: LineageStep[]; links: LineageLink[] }> {
  // Upstream follows edges backwards: from the edge's target (the node we are at) to its source.
  const [here, next] = direction === 'upstream' ? ['to', 'from'] : ['from', 'to'];
  const rows = await sql.query<{ kind: string; id: number; depth: number; prev_kind: string | null; prev_id: number | null }>(
    `WITH RECURSIVE walk(kind, id, depth, prev_kind, prev_id) AS (
       SELECT $1::text, $2::int, 0, NULL::text, NULL::int
       UNION
       SELECT e.${next}_kind, e.${next}_id, w.depth + 1, w.kind, w.id
         FROM walk w
         JOIN lineage_edge e ON e.${here}_kind = w.kind AND e.${here}_id = w.id
        WHERE w.depth < $3
     )
     SELECT kind, id, depth, prev_kind, prev_id FROM walk WHERE depth > 0 ORDER BY depth, kind, id`,
    [start.kind, start.id, maxDepth],
  );
  const nodes = new Map<string, LineageStep>();
  const links = new Map<string, LineageLink>();
  for (const row of rows) {
    const key = `${row.kind}:${row.id}`;
    if (!nodes.has(key) && !(row.kind === start.kind && row.id === start.id)) nodes.set(key, { kind: row.kind, id: row.id, depth: row.depth });
    const link = direction === 'upstream'
      ? { fromKind: row.kind, fromId: row.id, toKind: row.prev_kind!, toId: row.prev_id! }
      : { fromKind: row.prev_kind!, fromId: row.prev_id!, toKind: row.kind, toId: row.id };
    links.set(`${link.fromKind}:${link.fromId}>${link.toKind}:${link.toId}`, link);
  }
  return { nodes: [...nodes.values()], links: [...links.values()] };
}
