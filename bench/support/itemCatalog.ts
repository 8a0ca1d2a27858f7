/**
 * The benchmark catalogue: N generated items with metadata (title, description, category, price,
 * tags, release date) and image and text embeddings, users and events from the demo generator,
 * and a small model trained on it through the same path as `synthstore train` (trainOnStore), so
 * that synthesized features are real companion outputs.
 */
import { ensureBackend } from '../../jobs/ensureBackend.ts';
import { MAIN_MODEL } from '../../jobs/mainJob.ts';
import { trainOnStore, type TrainOnStoreResult } from '../../ml/store/trainOnStore.ts';
import type { Database } from '../../store/db/Database.ts';
import { loadDemoData } from '../../store/demo/loadDemoData.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';

export interface CatalogOptions {
  readonly items: number;
  readonly users: number;
  readonly epochs: number;
  readonly seed?: number;
}

export interface Catalog {
  readonly generateSeconds: number;
  readonly trainSeconds: number;
  readonly training: TrainOnStoreResult;
  readonly synthDim: number;
  readonly events: number;
}

export const FEATURE_SETS = { synthesized: 'item_synthesized', image: 'item_image', raw: 'item_raw' } as const;

export async function buildCatalog(db: Database, options: CatalogOptions, log: (message: string) => void): Promise<Catalog> {
  let started = performance.now();
  const summary = await loadDemoData(db, { seed: options.seed ?? 7, users: options.users, items: options.items, eventsPerUser: 20, coldShare: 0.1 });
  const generateSeconds = (performance.now() - started) / 1000;
  log(`  generated ${summary.items.inserted} items, ${summary.users.inserted} users, ${summary.events.inserted} events, ${summary.embeddings.written} embeddings in ${generateSeconds.toFixed(1)} s`);
  started = performance.now();
  const backend = await ensureBackend('auto');
  const training = await trainOnStore(db, { name: MAIN_MODEL, training: { epochs: options.epochs } }, { backend: backend.name });
  const trainSeconds = (performance.now() - started) / 1000;
  log(`  trained ${MAIN_MODEL} v${training.modelVersion} on ${training.examples.train} examples (${backend.name}) in ${trainSeconds.toFixed(1)} s`);
  const synthDim = await registerCatalogFeatureSets(db, training.modelVersionId);
  return { generateSeconds, trainSeconds, training, synthDim, events: summary.events.inserted };
}

/** item_synthesized (the model's item companion), item_image (embedding) and item_raw (metadata). */
async function registerCatalogFeatureSets(db: Database, modelVersionId: number): Promise<number> {
  const model = await db.prisma.modelVersion.findUniqueOrThrow({ where: { id: modelVersionId }, select: { config: true } });
  const synthDim = (model.config as { companion: { synthDim: number } }).companion.synthDim;
  const image = await db.sql.query<{ dimension: number }>(`SELECT dimension FROM modality WHERE entity_type = 'item' AND name = 'image'`);
  await registerFeatureSet(db, {
    name: FEATURE_SETS.synthesized, entityType: 'item', kind: 'synthesized', owner: 'bench', source: { model: MAIN_MODEL },
    features: [{ name: 'synthetic', type: 'vector', dimension: synthDim }],
  });
  await registerFeatureSet(db, {
    name: FEATURE_SETS.image, entityType: 'item', kind: 'embedding', owner: 'bench', source: { modality: 'image' },
    features: [{ name: 'image', type: 'vector', dimension: image[0]!.dimension }],
  });
  await registerFeatureSet(db, {
    name: FEATURE_SETS.raw, entityType: 'item', kind: 'raw', owner: 'bench', source: { fields: ['price', 'category', 'tags'] },
    features: [{ name: 'price', type: 'numeric' }, { name: 'category', type: 'categorical' }, { name: 'tags', type: 'tags' }],
  });
  return synthDim;
}
