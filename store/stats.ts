import type { Database } from './db/Database.ts';

/** Row counts of the store's tables, for `synthstore stats`. */
export interface StoreStats {
  users: number;
  items: number;
  events: number;
  embeddings: number;
  modalities: number;
  metadataFields: number;
  featureSets: number;
  featureSetVersions: number;
  featureValues: number;
  models: number;
  trainingRuns: number;
  materializationRuns: number;
  schedules: number;
  apiKeys: number;
}

export async function readStats(db: Database): Promise<StoreStats> {
  const { prisma } = db;
  const [
    users, items, events, embeddings, modalities, metadataFields, featureSets,
    featureSetVersions, featureValues, models, trainingRuns, materializationRuns, schedules, apiKeys,
  ] = await prisma.$transaction([
    prisma.user.count(),
    prisma.item.count(),
    prisma.event.count(),
    prisma.embedding.count(),
    prisma.modality.count(),
    prisma.metadataField.count(),
    prisma.featureSet.count(),
    prisma.featureSetVersion.count(),
    prisma.featureValue.count(),
    prisma.modelVersion.count(),
    prisma.trainingRun.count(),
    prisma.materializationRun.count(),
    prisma.schedule.count(),
    prisma.apiKey.count(),
  ]);
  return {
    users, items, events, embeddings, modalities, metadataFields, featureSets,
    featureSetVersions, featureValues, models, trainingRuns, materializationRuns, schedules, apiKeys,
  };
}
