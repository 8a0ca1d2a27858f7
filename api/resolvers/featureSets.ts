/** Feature sets, their versions, and online feature reads. */
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { FeatureSetNotFoundError } from '../../store/featureSets/errors.ts';
import { deprecateVersion, resolveVersion } from '../../store/featureSets/versions.ts';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { checkCount, MAX_IDS } from './limits.ts';
import { lineageField } from './lineage.ts';

interface FeatureSetRow { id: number; name: string; features: unknown }
interface VersionRow { id: number; featureSetId: number; modelVersionId: number | null; rowBaseVersionId: number | null; schema: unknown }

const parsed = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

export const featureSetResolvers = {
  Query: {
    features: async (_: unknown, args: { featureSet: string; entityIds: string[]; version?: number | null }, context: ApiContext) => {
      requireScope(context, 'read');
      checkCount('entityIds', args.entityIds.length, MAX_IDS);
      const read = await context.featureReads.read(context.db, { featureSet: args.featureSet, version: args.version ?? 'latest', entityKeys: args.entityIds });
      return {
        featureSetId: read.featureSetId,
        versionId: read.versionId,
        missing: read.missing,
        rows: read.rows.map((row) => ({ ...row, entityId: row.entityKey })),
      };
    },
    featureSets: async (_: unknown, __: unknown, context: ApiContext) => {
      requireScope(context, 'read');
      return context.db.prisma.featureSet.findMany({ orderBy: { name: 'asc' } });
    },
    featureSet: (_: unknown, args: { name: string }, context: ApiContext) => (requireScope(context, 'read'), context.loaders.featureSetByName.load(args.name)),
    featureSetVersion: async (_: unknown, args: { featureSet: string; version: number }, context: ApiContext) => {
      requireScope(context, 'read');
      const featureSet = await context.loaders.featureSetByName.load(args.featureSet);
      if (!featureSet) return null;
      return (await context.loaders.versionsOfFeatureSet.load(featureSet.id)).find((version) => version.version === args.version) ?? null;
    },
  },
  Mutation: {
    registerFeatureSet: async (_: unknown, args: { definition: unknown }, context: ApiContext) => {
      requireScope(context, 'admin');
      const result = await registerFeatureSet(context.db, args.definition);
      return context.db.prisma.featureSet.findUnique({ where: { id: result.featureSet.id } });
    },
    deprecateFeatureSetVersion: async (_: unknown, args: { featureSet: string; version: number }, context: ApiContext) => {
      requireScope(context, 'admin');
      const version = await resolveVersion(context.db, args.featureSet, args.version);
      await deprecateVersion(context.db, version.id);
      return context.db.prisma.featureSetVersion.findUnique({ where: { id: version.id } });
    },
  },
  FeatureRead: {
    featureSet: async (read: { featureSetId: number }, _: unknown, context: ApiContext) =>
      (await context.loaders.featureSetById.load(read.featureSetId)) ?? Promise.reject(new FeatureSetNotFoundError(read.featureSetId)),
    version: (read: { versionId: number }, _: unknown, context: ApiContext) => context.loaders.versionById.load(read.versionId),
  },
  FeatureSet: {
    features: (featureSet: FeatureSetRow) => parsed(featureSet.features),
    versions: (featureSet: FeatureSetRow, _: unknown, context: ApiContext) => context.loaders.versionsOfFeatureSet.load(featureSet.id),
    latestVersion: async (featureSet: FeatureSetRow, _: unknown, context: ApiContext) =>
      (await context.loaders.versionsOfFeatureSet.load(featureSet.id)).filter((version) => version.status === 'published').at(-1) ?? null,
  },
  FeatureSetVersion: {
    featureSet: (version: VersionRow, _: unknown, context: ApiContext) => context.loaders.featureSetById.load(version.featureSetId),
    features: (version: VersionRow) => (parsed(version.schema) as { features: unknown }).features,
    modelVersion: (version: VersionRow, _: unknown, context: ApiContext) => (version.modelVersionId === null ? null : context.loaders.modelVersion.load(version.modelVersionId)),
    rowBaseVersion: (version: VersionRow, _: unknown, context: ApiContext) => (version.rowBaseVersionId === null ? null : context.loaders.versionById.load(version.rowBaseVersionId)),
    materializationRuns: async (version: VersionRow, _: unknown, context: ApiContext) => {
      const runs = await context.loaders.runsOfVersion.load(version.id);
      return (await context.loaders.runProgress.loadMany(runs.map((run) => run.id))).filter((run) => run !== null && !(run instanceof Error));
    },
    upstream: lineageField('feature_set_version', 'upstream'),
  },
};
