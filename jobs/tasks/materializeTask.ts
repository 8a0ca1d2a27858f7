import { MaterializeArgsSchema } from '../schedules/schedules.ts';
import { planMaterialization, type PlannedRun } from '../materialize/planMaterialization.ts';
import type { JobDependencies } from '../interfaces.ts';
import { MaterializeError } from '../errors.ts';

/**
 * A materialize job: plans the run. Its partitions are then claimed by every worker's partition
 * loop (this worker's first, as it goes straight there), not by this job.
 */
export async function runMaterializeTask(deps: JobDependencies, data: unknown): Promise<PlannedRun> {
  const { schedule: _schedule, occurrence: _occurrence, ...args } = (data ?? {}) as Record<string, unknown>;
  const parsed = MaterializeArgsSchema.safeParse(args);
  if (!parsed.success) throw new MaterializeError('BAD_USER_INPUT', `materialize job: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const plan = await planMaterialization(deps.db, parsed.data);
  deps.log.info({ run: plan.runId, featureSet: plan.featureSet, version: plan.version.version, mode: plan.mode, partitions: plan.partitions }, 'materialization run planned');
  return plan;
}
