import { trainOnStore, type TrainOnStoreResult } from '../../ml/store/trainOnStore.ts';
import { ensureBackend } from '../ensureBackend.ts';
import type { JobDependencies } from '../interfaces.ts';

/** A train job: trains on the store's data and registers the model version (see synthstore train). */
export async function runTrainTask(deps: JobDependencies, data: unknown): Promise<TrainOnStoreResult> {
  const config = ((data ?? {}) as { config?: unknown }).config ?? {};
  const info = await ensureBackend(deps.backend);
  const result = await trainOnStore(deps.db, config, { backend: info.name });
  deps.log.info({ model: result.modelName, version: result.modelVersion, seconds: result.seconds }, 'model trained');
  return result;
}
