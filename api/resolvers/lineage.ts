/** Lineage walks: from any record, or from the upstream/downstream fields of records. */
import { lineageGraph, type LineageGraph } from '../../store/featureSets/lineageGraph.ts';
import type { LineageKind } from '../../store/registry/lineage.ts';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { numericId } from './limits.ts';

export function walk(context: ApiContext, kind: LineageKind, id: number, direction: 'upstream' | 'downstream', maxDepth: number): Promise<LineageGraph> {
  requireScope(context, 'read');
  return lineageGraph(context.db, { kind, id }, direction, { maxDepth });
}

/** The `upstream` / `downstream` field of a record of `kind`. */
export function lineageField(kind: LineageKind, direction: 'upstream' | 'downstream') {
  return (parent: { id: number }, args: { maxDepth: number }, context: ApiContext) => walk(context, kind, parent.id, direction, args.maxDepth);
}

export const lineageResolvers = {
  Query: {
    lineage: (_: unknown, args: { kind: LineageKind; id: string; direction: 'upstream' | 'downstream'; maxDepth: number }, context: ApiContext) =>
      walk(context, args.kind, numericId('id', args.id), args.direction, args.maxDepth),
  },
  LineageEdge: {
    fromKind: (edge: LineageGraph['edges'][number]) => edge.from.kind,
    fromId: (edge: LineageGraph['edges'][number]) => edge.from.id,
    toKind: (edge: LineageGraph['edges'][number]) => edge.to.kind,
    toId: (edge: LineageGraph['edges'][number]) => edge.to.id,
  },
};
