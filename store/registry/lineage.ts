import type { Database } from '../db/Database.ts';

/** The kinds of immutable records the lineage graph connects, upstream to downstream. */
export const LINEAGE_KINDS = ['data_snapshot', 'training_run', 'model_version', 'materialization_run', 'feature_set_version'] as const;
export type LineageKind = (typeof LINEAGE_KINDS)[number];

export interface LineageNode {
  readonly kind: LineageKind;
  readonly id: number;
}

/** Records that `from` produced or fed `to`; recording the same edge twice is harmless. */
export async function addLineageEdge(db: Pick<Database, 'prisma'>, from: LineageNode, to: LineageNode): Promise<void> {
  await db.prisma.lineageEdge.upsert({
    where: { fromKind_fromId_toKind_toId: { fromKind: from.kind, fromId: from.id, toKind: to.kind, toId: to.id } },
    create: { fromKind: from.kind, fromId: from.id, toKind: to.kind, toId: to.id },
    update: {},
  });
}

/** The direct neighbours of a node in one direction. */
export async function lineageNeighbours(db: Pick<Database, 'prisma'>, node: LineageNode, direction: 'upstream' | 'downstream'): Promise<LineageNode[]> {
  if (direction === 'upstream') {
    const edges = await db.prisma.lineageEdge.findMany({ where: { toKind: node.kind, toId: node.id }, orderBy: { id: 'asc' } });
    return edges.map((edge) => ({ kind: edge.fromKind as LineageKind, id: edge.fromId }));
  }
  const edges = await db.prisma.lineageEdge.findMany({ where: { fromKind: node.kind, fromId: node.id }, orderBy: { id: 'asc' } });
  return edges.map((edge) => ({ kind: edge.toKind as LineageKind, id: edge.toId }));
}
