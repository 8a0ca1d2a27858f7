/** Model versions, training runs and data snapshots. */
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { MODEL_VERSION_FIELDS } from '../loaders.ts';
import { numericId, pageSize } from './limits.ts';
import { lineageField } from './lineage.ts';

export const modelResolvers = {
  Query: {
    models: (_: unknown, args: { name?: string | null; first: number }, context: ApiContext) => {
      requireScope(context, 'read');
      return context.db.prisma.modelVersion.findMany({
        where: args.name ? { name: args.name } : {}, select: MODEL_VERSION_FIELDS, orderBy: { id: 'desc' }, take: pageSize('first', args.first),
      });
    },
    model: (_: unknown, args: { name: string; version?: number | null }, context: ApiContext) => {
      requireScope(context, 'read');
      return context.db.prisma.modelVersion.findFirst({
        where: { name: args.name, ...(args.version ? { version: args.version } : {}) }, select: MODEL_VERSION_FIELDS, orderBy: { version: 'desc' },
      });
    },
    trainingRuns: (_: unknown, args: { first: number }, context: ApiContext) => {
      requireScope(context, 'read');
      return context.db.prisma.trainingRun.findMany({ orderBy: { id: 'desc' }, take: pageSize('first', args.first) });
    },
    trainingRun: (_: unknown, args: { id: string }, context: ApiContext) => (requireScope(context, 'read'), context.loaders.trainingRun.load(numericId('id', args.id))),
  },
  ModelVersion: {
    trainingRun: (model: { trainingRunId: number | null }, _: unknown, context: ApiContext) => (model.trainingRunId === null ? null : context.loaders.trainingRun.load(model.trainingRunId)),
    featureSetVersions: (model: { id: number }, _: unknown, context: ApiContext) => context.loaders.versionsOfModel.load(model.id),
    downstream: lineageField('model_version', 'downstream'),
    upstream: lineageField('model_version', 'upstream'),
  },
  TrainingRun: {
    dataSnapshot: (run: { dataSnapshotId: number | null }, _: unknown, context: ApiContext) => (run.dataSnapshotId === null ? null : context.loaders.dataSnapshot.load(run.dataSnapshotId)),
    modelVersions: (run: { id: number }, _: unknown, context: ApiContext) => context.loaders.modelVersionsOfRun.load(run.id),
  },
  DataSnapshot: {
    downstream: lineageField('data_snapshot', 'downstream'),
  },
};
