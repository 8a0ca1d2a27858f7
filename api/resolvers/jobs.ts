/** Materialization runs, queued jobs, and the mutations that queue training and materialization. */
import { listRuns, type RunProgress } from '../../jobs/materialize/runProgress.ts';
import { QUEUES } from '../../jobs/queue/openJobQueue.ts';
import { MaterializeArgsSchema } from '../../jobs/schedules/schedules.ts';
import { getFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { TrainOnStoreConfigSchema } from '../../ml/store/trainOnStore.ts';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { BadInputError } from '../errors.ts';
import { numericId, pageSize } from './limits.ts';

const QUEUE_NAMES: readonly string[] = Object.values(QUEUES);

async function jobOf(context: ApiContext, queue: string, id: string) {
  const job = await context.queue.getJobById(queue, id);
  return job ? { id: job.id, queue, state: job.state, output: job.output ?? null } : null;
}

export const jobResolvers = {
  Query: {
    materializationRuns: (_: unknown, args: { featureSet?: string | null; first: number }, context: ApiContext) => {
      requireScope(context, 'read');
      return listRuns(context.db, { ...(args.featureSet ? { featureSet: args.featureSet } : {}), limit: pageSize('first', args.first) });
    },
    materializationRun: (_: unknown, args: { id: string }, context: ApiContext) => (requireScope(context, 'read'), context.loaders.runProgress.load(numericId('id', args.id))),
    job: (_: unknown, args: { queue: string; id: string }, context: ApiContext) => {
      requireScope(context, 'read');
      if (!QUEUE_NAMES.includes(args.queue)) throw new BadInputError(`queue: expected one of ${QUEUE_NAMES.join(', ')}, got ${JSON.stringify(args.queue)}`, { argument: 'queue' });
      return jobOf(context, args.queue, args.id);
    },
  },
  Mutation: {
    startTraining: async (_: unknown, args: { config?: unknown }, context: ApiContext) => {
      requireScope(context, 'admin');
      const config = TrainOnStoreConfigSchema.safeParse(args.config ?? {});
      if (!config.success) {
        throw new BadInputError(`config: ${config.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`, { argument: 'config' });
      }
      const id = await context.queue.send(QUEUES.train, { config: args.config ?? {} });
      return (await jobOf(context, QUEUES.train, id!))!;
    },
    startMaterialization: async (_: unknown, args: { featureSet: string; mode: 'full' | 'incremental'; modelVersion?: number | null }, context: ApiContext) => {
      requireScope(context, 'admin');
      await getFeatureSet(context.db, args.featureSet);
      const request = MaterializeArgsSchema.parse({ featureSet: args.featureSet, mode: args.mode, ...(args.modelVersion ? { modelVersion: args.modelVersion } : {}) });
      const id = await context.queue.send(QUEUES.materialize, request);
      return (await jobOf(context, QUEUES.materialize, id!))!;
    },
  },
  MaterializationRun: {
    id: (run: RunProgress) => run.runId,
    featureSetVersion: (run: RunProgress, _: unknown, context: ApiContext) => context.loaders.versionById.load(run.featureSetVersionId),
    progress: (run: RunProgress) => (run.rowsTotal > 0 ? run.rowsDone / run.rowsTotal : run.status === 'succeeded' ? 1 : 0),
  },
};
