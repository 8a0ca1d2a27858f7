/** Predictions, recommendations, combined vectors and similar items. */
import { getFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { searchFeatureVectors } from '../../store/sql/searchFeatureVectors.ts';
import type { ModelRef } from '../../ml/serving/ServingModels.ts';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { itemRef } from '../entityRefs.ts';
import { ApiError, BadInputError, ErrorCode } from '../errors.ts';
import { checkCount, MAX_IDS } from './limits.ts';

interface ModelInput { name: string; version?: number | null }
const DEFAULT_MODEL: ModelInput = { name: 'synthstore' };

function modelRef(input: ModelInput | null | undefined): ModelRef {
  const { name, version } = input ?? DEFAULT_MODEL;
  return version === null || version === undefined ? { name } : { name, version };
}

interface Scored { itemId: string }
interface Scoring { model: { id: number }; userId: string }

export const scoringResolvers = {
  Query: {
    predict: async (_: unknown, args: { userId: string; itemIds: string[]; model?: ModelInput }, context: ApiContext) => {
      requireScope(context, 'read');
      checkCount('itemIds', args.itemIds.length, MAX_IDS);
      const prediction = await context.scorer.predict(args.userId, args.itemIds, modelRef(args.model));
      return { ...prediction, userId: args.userId, scores: prediction.items };
    },
    recommend: async (_: unknown, args: { userId: string; k: number; filter?: { excludeSeen?: boolean; metadata?: unknown; excludeItemIds?: string[] } | null; model?: ModelInput }, context: ApiContext) => {
      requireScope(context, 'read');
      const metadata = args.filter?.metadata;
      if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
        throw new BadInputError('filter.metadata: expected a JSON object such as {"category": "books"}', { argument: 'filter.metadata' });
      }
      checkCount('filter.excludeItemIds', args.filter?.excludeItemIds?.length ?? 0, MAX_IDS);
      const recommendation = await context.scorer.recommend(args.userId, args.k, modelRef(args.model), {
        excludeSeen: args.filter?.excludeSeen ?? true,
        ...(metadata ? { metadataContains: metadata as Record<string, unknown> } : {}),
        ...(args.filter?.excludeItemIds ? { excludeItemIds: args.filter.excludeItemIds } : {}),
      });
      return { ...recommendation, userId: args.userId };
    },
    combinedVector: async (_: unknown, args: { userId: string; itemId: string; model?: ModelInput }, context: ApiContext) => {
      requireScope(context, 'read');
      const combined = await context.scorer.combinedVector(args.userId, args.itemId, modelRef(args.model));
      return { ...combined, userId: args.userId, itemId: args.itemId };
    },
    similarItems: async (_: unknown, args: { itemId: string; featureSet: string; k: number }, context: ApiContext) => {
      requireScope(context, 'read');
      if (!Number.isInteger(args.k) || args.k < 1 || args.k > 100) throw new BadInputError(`k: expected an integer from 1 to 100, got ${args.k}`, { argument: 'k' });
      const featureSet = await getFeatureSet(context.db, args.featureSet);
      if (featureSet.entityType !== 'item') throw new BadInputError(`feature set "${args.featureSet}" is about users, not items`, { argument: 'featureSet' });
      const read = await context.featureReads.read(context.db, { featureSet: args.featureSet, version: 'latest', entityKeys: [args.itemId] });
      const vector = read.rows[0]?.vector;
      if (!vector) {
        throw new ApiError(ErrorCode.NOT_FOUND, `item "${args.itemId}" has no vector in version ${read.version} of feature set "${args.featureSet}" (${read.rows[0]?.status ?? 'missing'})`);
      }
      const matches = await searchFeatureVectors(context.db, {
        versionId: read.versionId, dimension: vector.length, entityType: 'item', query: vector, k: args.k, metric: 'cosine', excludeKeys: [args.itemId],
      });
      return matches.map((match) => ({ itemId: match.entityKey, distance: match.distance }));
    },
  },
  Prediction: {
    model: (prediction: Scoring, _: unknown, context: ApiContext) => context.loaders.modelVersion.load(prediction.model.id),
    user: (prediction: Scoring, _: unknown, context: ApiContext) => context.loaders.user.load(prediction.userId),
  },
  Recommendation: {
    model: (recommendation: Scoring, _: unknown, context: ApiContext) => context.loaders.modelVersion.load(recommendation.model.id),
    user: (recommendation: Scoring, _: unknown, context: ApiContext) => context.loaders.user.load(recommendation.userId),
  },
  CombinedVector: {
    model: (combined: Scoring, _: unknown, context: ApiContext) => context.loaders.modelVersion.load(combined.model.id),
    user: (combined: Scoring, _: unknown, context: ApiContext) => context.loaders.user.load(combined.userId),
    item: (combined: { itemId: string }) => itemRef(combined.itemId),
  },
  ItemScore: { item: (scored: Scored) => itemRef(scored.itemId) },
  RecommendedItem: { item: (scored: Scored) => itemRef(scored.itemId) },
  SimilarItem: { item: (scored: Scored) => itemRef(scored.itemId) },
};
