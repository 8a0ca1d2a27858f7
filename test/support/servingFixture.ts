/**
 * A store ready to serve: demo data, a small trained model, and its synthesized user and item
 * feature sets materialized, the state `npm start` leaves behind, built small and fast.
 */
import pino from 'pino';
import { ensureMaterialized, ensureSynthesizedFeatureSets } from '../../jobs/mainJob.ts';
import { trainOnStore } from '../../ml/store/trainOnStore.ts';
import type { Database } from '../../store/db/Database.ts';
import { demoDataSource } from '../../store/demo/demoData.ts';
import { importData } from '../../store/import/importData.ts';
import { loadModelVersion, type StoredModelVersion } from '../../store/registry/modelVersions.ts';

export const SERVING_MODEL = 'synthstore';

export const SMALL_MODEL_CONFIG = {
  name: SERVING_MODEL,
  training: { epochs: 2, batchSize: 256 },
  model: { companion: { synthDim: 8, mlp: { hiddenSizes: [16] } }, combine: { mode: 'attention' as const } },
};

export async function seedServingStore(db: Database, options: { users?: number; items?: number } = {}): Promise<StoredModelVersion> {
  await importData(db, demoDataSource({ seed: 5, users: options.users ?? 120, items: options.items ?? 80, eventsPerUser: 10, coldShare: 0.1 }));
  const trained = await trainOnStore(db, SMALL_MODEL_CONFIG, { backend: 'wasm' });
  const model = await loadModelVersion(db, SERVING_MODEL, trained.modelVersion);
  const featureSets = await ensureSynthesizedFeatureSets(db, model);
  await ensureMaterialized(db, pino({ level: 'silent' }), 'wasm', featureSets, model);
  return model;
}
