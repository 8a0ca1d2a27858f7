/**
 * A worker's partition loop: claim a partition (of one run, or of any unfinished run), process
 * it, finalize its run if it was the last, and repeat until nothing is claimable. A partition
 * that throws is marked failed (claimable again while it has attempts left); a lost lease drops
 * the partition's work, which the new holder redoes.
 */
import { claimPartition } from '../../store/sql/claimPartition.ts';
import { failPartition } from '../../store/sql/partitionLease.ts';
import { LeaseLostError } from '../errors.ts';
import type { JobDependencies, MaterializeHooks, MaterializeSettings, PartitionWork } from '../interfaces.ts';
import { createValueComputer, type ValueComputer } from './computeFeatureValues.ts';
import { finalizeRuns } from './finalizeRuns.ts';
import { loadRunContext, type RunContext } from './loadRunContext.ts';
import { processPartition } from './processPartition.ts';

export interface WorkOptions {
  readonly worker: string;
  readonly runId?: number;
  readonly settings: MaterializeSettings;
  readonly hooks?: MaterializeHooks;
  /** Stop claiming (the partition in hand is finished first). */
  readonly signal?: AbortSignal;
}

export async function workOnPartitions(deps: JobDependencies, options: WorkOptions): Promise<PartitionWork> {
  const { db, log } = deps;
  const runs = new Map<number, { context: RunContext; computer: ValueComputer }>();
  const total = { partitions: 0, entities: 0, computed: 0, copied: 0 };
  try {
    while (!options.signal?.aborted) {
      const lease = await claimPartition(db.sql, {
        worker: options.worker,
        leaseSeconds: options.settings.leaseSeconds,
        maxAttempts: options.settings.maxAttempts,
        ...(options.runId === undefined ? {} : { runId: options.runId }),
      });
      if (!lease) break;
      log.info({ run: lease.runId, partition: lease.partition, attempt: lease.attempt, worker: lease.worker }, 'partition claimed');
      try {
        let run = runs.get(lease.runId);
        if (!run) {
          const context = await loadRunContext(db, lease.runId);
          const computer = await createValueComputer(db, { kind: context.version.kind, entityType: context.entityType, schema: context.version.schema, modelVersionId: context.version.modelVersionId }, deps.backend);
          run = { context, computer };
          runs.set(lease.runId, run);
        }
        const result = await processPartition(db, lease, run.context, run.computer, options.settings, options.hooks);
        total.partitions++;
        total.entities += result.entities;
        total.computed += result.computed;
        total.copied += result.copied;
        log.info({ run: lease.runId, partition: lease.partition, ...result }, 'partition done');
      } catch (error) {
        if (error instanceof LeaseLostError) {
          log.warn({ run: lease.runId, partition: lease.partition }, error.message);
        } else {
          const message = (error as Error).message ?? String(error);
          log.error({ run: lease.runId, partition: lease.partition, attempt: lease.attempt, err: error }, 'partition failed');
          await failPartition(db.sql, lease, message);
        }
      }
      for (const finalized of await finalizeRuns(db, options.settings, lease.runId)) {
        log.info(finalized, `run ${finalized.runId} ${finalized.status}`);
        runs.get(finalized.runId)?.computer.dispose();
        runs.delete(finalized.runId);
      }
    }
  } finally {
    for (const run of runs.values()) run.computer.dispose();
  }
  return total;
}
