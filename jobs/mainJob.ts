/**
 * The main job of `npm start`, step by step, each step skipped when its result exists already:
 * a trained model, the feature sets it synthesizes (one per entity type), and their versions
 * materialized from the latest model version.
 */
import type pino from 'pino';
import type { BackendPreference } from '../config.ts';
import type { Database } from '../store/db/Database.ts';
import { registerFeatureSet } from '../store/featureSets/featureSetRegistry.ts';
import { listFeatureSets } from '../store/featureSets/listFeatureSets.ts';
import { ModelNotFoundError, loadModelVersion, type StoredModelVersion } from '../store/registry/modelVersions.ts';
import { trainOnStore } from '../ml/store/trainOnStore.ts';
import type { TrainHooks } from '../ml/train/trainModel.ts';
import { ensureBackend } from './ensureBackend.ts';
import { DEFAULT_MATERIALIZE_SETTINGS } from './interfaces.ts';
import { runMaterialization, type MaterializationResult, type RunMaterializationOptions } from './materialize/runMaterialization.ts';
import { defaultWorkerId } from './worker.ts';

export const MAIN_MODEL = 'synthstore';
const ENTITY_TYPES = ['user', 'item'] as const;

export function synthesizedFeatureSetName(entityType: 'user' | 'item'): string {
  return `${entityType}_synthesized`;
}

/** The latest version of the main model, training one first when there is none. */
export async function ensureTrainedModel(
  db: Database,
  log: pino.Logger,
  backend: BackendPreference,
  hooks?: TrainHooks,
): Promise<{ model: StoredModelVersion; trained: boolean }> {
  try {
    return { model: await loadModelVersion(db, MAIN_MODEL), trained: false };
  } catch (error) {
    if (!(error instanceof ModelNotFoundError)) throw error;
  }
  const info = await ensureBackend(backend);
  log.info({ backend: info.name }, 'training the first model');
  const result = await trainOnStore(db, { name: MAIN_MODEL }, { backend: info.name, ...(hooks ? { hooks } : {}) });
  log.info({ version: result.modelVersion, validation: result.validation, coldItems: result.coldItemValidation, coldUsers: result.coldUserValidation }, 'model trained');
  return { model: await loadModelVersion(db, MAIN_MODEL, result.modelVersion), trained: true };
}

/** Registers the user and item feature sets the main model synthesizes (unchanged when present). */
export async function ensureSynthesizedFeatureSets(db: Database, model: StoredModelVersion): Promise<string[]> {
  const synthDim = (model.config as { companion: { synthDim: number } }).companion.synthDim;
  const names: string[] = [];
  for (const entityType of ENTITY_TYPES) {
    const name = synthesizedFeatureSetName(entityType);
    await registerFeatureSet(db, {
      name,
      entityType,
      kind: 'synthesized',
      owner: 'synthstore',
      description: `features the ${model.name} model's companion network synthesizes from ${entityType} metadata, text and embeddings`,
      tags: ['synthesized', 'cold-start'],
      source: { model: model.name },
      features: [{ name: 'synthetic', type: 'vector', dimension: synthDim }],
    });
    names.push(name);
  }
  return names;
}

/** Materializes each feature set whose latest published version came from another model version. */
export async function ensureMaterialized(
  db: Database,
  log: pino.Logger,
  backend: BackendPreference,
  featureSets: readonly string[],
  model: StoredModelVersion,
  watch: Pick<RunMaterializationOptions, 'onPlanned' | 'onProgress'> = {},
): Promise<MaterializationResult[]> {
  const listed = new Map((await listFeatureSets(db)).map((set) => [set.name, set]));
  const results: MaterializationResult[] = [];
  for (const name of featureSets) {
    const latest = listed.get(name)?.versions.filter((version) => version.status === 'published').at(-1);
    if (latest?.modelVersion?.id === model.id) continue;
    const result = await runMaterialization({ db, log, backend }, { featureSet: name, mode: 'full', modelVersion: model.version }, {
      worker: defaultWorkerId(),
      settings: DEFAULT_MATERIALIZE_SETTINGS,
      ...watch,
    });
    if (result.run.status !== 'succeeded') {
      throw new Error(`materializing ${name} ended ${result.run.status}${result.run.error ? `: ${result.run.error}` : ''}`);
    }
    log.info({ featureSet: name, version: result.plan.version.version, rows: result.run.rowsDone, seconds: result.seconds }, 'feature set materialized');
    results.push(result);
  }
  return results;
}
