/**
 * The lineage graph, walked transitively in either direction from any record: upstream of a
 * feature set version (its materialization run, model version, training run, data snapshot), or
 * downstream of a data snapshot or model (everything they fed). Nodes come with the key fields
 * of their records, so that a caller (GraphQL, the CLI) needs no further lookups.
 */
import type { Database } from '../db/Database.ts';
import { LINEAGE_KINDS, type LineageKind, type LineageNode } from '../registry/lineage.ts';
import { walkLineage } from '../sql/walkLineage.ts';

export const DEFAULT_LINEAGE_DEPTH = 8;
export const MAX_LINEAGE_DEPTH = 32;

export interface LineageGraphNode extends LineageNode {
  /** Edges from the start node (0 for the start node itself). */
  readonly depth: number;
  /** The record's key fields; null when the record no longer exists. */
  readonly record: Record<string, unknown> | null;
}

export interface LineageGraph {
  readonly direction: 'upstream' | 'downstream';
  readonly start: LineageGraphNode;
  /** Reached nodes, nearest first. */
  readonly nodes: LineageGraphNode[];
  /** The edges walked, each in its own direction (from upstream to downstream). */
  readonly edges: { readonly from: LineageNode; readonly to: LineageNode }[];
}

export async function lineageGraph(
  db: Pick<Database, 'sql' | 'prisma'>,
  start: LineageNode,
  direction: 'upstream' | 'downstream',
  options: { readonly maxDepth?: number } = {},
): Promise<LineageGraph> {
  const maxDepth = options.maxDepth ?? DEFAULT_LINEAGE_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_LINEAGE_DEPTH) throw new RangeError(`maxDepth must be an integer from 1 to ${MAX_LINEAGE_DEPTH}, got ${maxDepth}`);
  const walked = await walkLineage(db.sql, start, direction, maxDepth);
  const steps = [{ kind: start.kind as string, id: start.id, depth: 0 }, ...walked.nodes];
  const records = await loadRecords(db, steps);
  const node = (step: { kind: string; id: number; depth: number }): LineageGraphNode => ({
    kind: step.kind as LineageKind,
    id: step.id,
    depth: step.depth,
    record: records.get(`${step.kind}:${step.id}`) ?? null,
  });
  return {
    direction,
    start: node(steps[0]!),
    nodes: walked.nodes.map(node),
    edges: walked.links.map((link) => ({ from: { kind: link.fromKind as LineageKind, id: link.fromId }, to: { kind: link.toKind as LineageKind, id: link.toId } })),
  };
}

/** One query per kind present. */
async function loadRecords(db: Pick<Database, 'prisma'>, steps: readonly { kind: string; id: number }[]): Promise<Map<string, Record<string, unknown>>> {
  const idsOf = (kind: LineageKind) => steps.filter((step) => step.kind === kind).map((step) => step.id);
  const records = new Map<string, Record<string, unknown>>();
  const put = (kind: LineageKind, rows: readonly ({ id: number } & Record<string, unknown>)[]) => {
    for (const row of rows) records.set(`${kind}:${row.id}`, row);
  };
  const loaders: Record<LineageKind, (ids: number[]) => Promise<void>> = {
    data_snapshot: async (ids) =>
      put('data_snapshot', await db.prisma.dataSnapshot.findMany({ where: { id: { in: ids } }, select: { id: true, rowCounts: true, eventWatermark: true, createdAt: true } })),
    training_run: async (ids) =>
      put('training_run', await db.prisma.trainingRun.findMany({
        where: { id: { in: ids } },
        select: { id: true, status: true, seed: true, codeVersion: true, backend: true, metrics: true, dataSnapshotId: true, startedAt: true, finishedAt: true },
      })),
    model_version: async (ids) =>
      put('model_version', await db.prisma.modelVersion.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, version: true, metrics: true, trainingRunId: true, createdAt: true } })),
    materialization_run: async (ids) =>
      put('materialization_run', await db.prisma.materializationRun.findMany({
        where: { id: { in: ids } },
        select: { id: true, featureSetVersionId: true, modelVersionId: true, mode: true, status: true, rowsTotal: true, rowsDone: true, startedAt: true, finishedAt: true },
      })),
    feature_set_version: async (ids) => {
      const rows = await db.prisma.featureSetVersion.findMany({
        where: { id: { in: ids } },
        select: { id: true, version: true, status: true, rowCount: true, modelVersionId: true, createdAt: true, publishedAt: true, featureSet: { select: { name: true } } },
      });
      put('feature_set_version', rows.map(({ featureSet, ...row }) => ({ ...row, featureSet: featureSet.name })));
    },
  };
  await Promise.all(LINEAGE_KINDS.map(async (kind) => {
    const ids = idsOf(kind);
    if (ids.length > 0) await loaders[kind](ids);
  }));
  return records;
}
