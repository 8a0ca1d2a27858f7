import { FeatureStoreError } from '../store/featureSets/errors.ts';

/** A worker's lease on a partition was taken over: its work there is rolled back and dropped. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(runId: number, partition: number, worker: string) {
    super(`worker ${worker} lost its lease on partition ${partition} of run ${runId}: another worker took it over`);
  }
}

/** A materialization that cannot run as asked (no such model version, no previous version...). */
export class MaterializeError extends FeatureStoreError {
  override name = 'MaterializeError';
}

/** An invalid schedule: bad cron expression, time zone, task arguments, or an unknown name. */
export class ScheduleError extends FeatureStoreError {
  override name = 'ScheduleError';
}
