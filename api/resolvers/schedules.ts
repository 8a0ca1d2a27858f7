/** Cron schedules of training and materialization. */
import { addSchedule, listSchedules, removeSchedule, type StoredSchedule } from '../../jobs/schedules/schedules.ts';
import { FeatureStoreError } from '../../store/featureSets/errors.ts';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { BadInputError } from '../errors.ts';

interface ScheduleInput {
  name: string; cron: string; timezone: string; task: 'train' | 'materialize';
  featureSet?: string | null; mode: 'full' | 'incremental'; trainingConfig?: unknown;
}

export const scheduleResolvers = {
  Query: {
    schedules: (_: unknown, __: unknown, context: ApiContext) => (requireScope(context, 'read'), listSchedules(context.db)),
  },
  Mutation: {
    addSchedule: (_: unknown, { input }: { input: ScheduleInput }, context: ApiContext) => {
      requireScope(context, 'admin');
      const common = { name: input.name, cron: input.cron, timezone: input.timezone };
      if (input.task === 'materialize') {
        if (!input.featureSet) throw new BadInputError('input.featureSet: a MATERIALIZE schedule needs the feature set', { argument: 'input.featureSet' });
        return addSchedule(context.db, { ...common, task: 'materialize', args: { featureSet: input.featureSet, mode: input.mode } });
      }
      return addSchedule(context.db, { ...common, task: 'train', args: { config: (input.trainingConfig ?? {}) as Record<string, unknown> } });
    },
    removeSchedule: async (_: unknown, args: { name: string }, context: ApiContext) => {
      requireScope(context, 'admin');
      try {
        await removeSchedule(context.db, args.name);
        return true;
      } catch (error) {
        if (error instanceof FeatureStoreError && error.code === 'NOT_FOUND') return false;
        throw error;
      }
    },
  },
  Schedule: {
    featureSet: (schedule: StoredSchedule, _: unknown, context: ApiContext) => (schedule.featureSet ? context.loaders.featureSetByName.load(schedule.featureSet) : null),
  },
};
