/**
 * Materializes in this process: plans a run, works on its partitions (other workers polling the
 * store join in), and waits until the run is published or failed. When other workers hold the
 * last partitions, it polls; a partition whose worker died is taken over when its lease expires.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobDependencies, MaterializeHooks, MaterializeRequest, MaterializeSettings, PartitionWork } from '../interfaces.ts';
import { finalizeRuns } from './finalizeRuns.ts';
import { planMaterialization, type PlannedRun } from './planMaterialization.ts';
import { getRunProgress, type RunProgress } from './runProgress.ts';
import { workOnPartitions } from './workOnPartitions.ts';

export interface RunMaterializationOptions {
  readonly worker: string;
  readonly settings: MaterializeSettings;
  readonly hooks?: MaterializeHooks;
  /** How often to look again while other workers hold partitions; default 500 ms. */
  readonly pollMs?: number;
  /** Called with the run's progress after each poll and partition. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Called once the run is planned. */
  readonly onPlanned?: (plan: PlannedRun) => void;
}

export interface MaterializationResult {
  readonly plan: PlannedRun;
  readonly run: RunProgress;
  /** What this process did (other workers may have done the rest). */
  readonly work: PartitionWork;
  readonly seconds: number;
}

export async function runMaterialization(deps: JobDependencies, request: MaterializeRequest, options: RunMaterializationOptions): Promise<MaterializationResult> {
  const started = performance.now();
  const plan = await planMaterialization(deps.db, request);
  options.onPlanned?.(plan);
  const work = { partitions: 0, entities: 0, computed: 0, copied: 0 };
  const hooks: MaterializeHooks = {
    ...options.hooks,
    afterBatch: async (info) => {
      await options.hooks?.afterBatch?.(info);
      if (options.onProgress) options.onProgress(await getRunProgress(deps.db, plan.runId));
    },
  };
  for (;;) {
    const done = await workOnPartitions(deps, { worker: options.worker, runId: plan.runId, settings: options.settings, hooks });
    work.partitions += done.partitions;
    work.entities += done.entities;
    work.computed += done.computed;
    work.copied += done.copied;
    await finalizeRuns(deps.db, options.settings, plan.runId);
    const run = await getRunProgress(deps.db, plan.runId);
    options.onProgress?.(run);
    if (run.status !== 'queued' && run.status !== 'running') return { plan, run, work, seconds: (performance.now() - started) / 1000 };
    await sleep(options.pollMs ?? 500);
  }
}
