/**
 * Materializes one claimed partition: for an incremental run, first copies the unchanged rows of
 * the base version in SQL (into a delta version, only those the base stores as a delta itself),
 * which also names the entities to compute (changed, or missing from the base); then reads the entities to compute (all of them, or those) and computes their values a
 * page ahead, and writes them a batch at a time. Each batch is one
 * transaction that checks the lease, writes the rows (upserts by entity key, so a retried
 * partition leaves exactly one row per entity) and advances the run's progress.
 */
import type { Database, SqlClient } from '../../store/db/Database.ts';
import { VersionStateError } from '../../store/featureSets/errors.ts';
import { writeFeatureValues } from '../../store/featureSets/versions.ts';
import type { PartitionLease } from '../../store/sql/claimPartition.ts';
import { copyUnchangedFeatureValues } from '../../store/sql/copyFeatureValues.ts';
import { advanceRunProgress, completePartition, countPartitionRows, heartbeatPartition } from '../../store/sql/partitionLease.ts';
import { readPartitionEntities, type PartitionEntity } from '../../store/sql/readPartitionEntities.ts';
import type { FeatureValueRow } from '../../store/sql/writeFeatureValues.ts';
import { LeaseLostError } from '../errors.ts';
import type { MaterializeHooks, MaterializeSettings } from '../interfaces.ts';
import type { ValueComputer } from './computeFeatureValues.ts';
import type { RunContext } from './loadRunContext.ts';
import { readAhead } from './readAhead.ts';

export interface PartitionResult {
  readonly entities: number;
  readonly computed: number;
  readonly copied: number;
}

export async function processPartition(
  db: Database,
  lease: PartitionLease,
  run: RunContext,
  computer: ValueComputer,
  settings: MaterializeSettings,
  hooks: MaterializeHooks = {},
): Promise<PartitionResult> {
  const lost = () => new LeaseLostError(lease.runId, lease.partition, lease.worker);
  let leaseLost = false;
  // Batches renew the lease too; the heartbeat covers slow batches and pauses between them.
  const heartbeat = setInterval(() => {
    heartbeatPartition(db.sql, lease).then((held) => void (leaseLost ||= !held), () => undefined);
  }, Math.max(200, (settings.leaseSeconds * 1000) / 3));
  heartbeat.unref();
  try {
    await hooks.afterClaim?.({ runId: lease.runId, partition: lease.partition, attempt: lease.attempt, worker: lease.worker });
    let copied = 0;
    let toCompute: readonly string[] | undefined;
    if (run.base) {
      const base = run.base;
      const copy = await db.transaction(async (tx) => {
        if (!(await countPartitionRows(tx, lease, 0))) throw lost();
        const result = await copyUnchangedFeatureValues(tx, {
          fromVersionId: base.versionId,
          fromRowBaseVersionId: base.rowBaseVersionId,
          toVersionId: run.version.id,
          // A delta version has the unchanged rows of its row base already: only a previous
          // delta's own rows are carried over.
          copy: run.version.rowBaseVersionId === null ? 'every' : 'delta',
          entityType: run.entityType,
          partition: lease.partition,
          partitions: run.partitions,
          changedAfter: base.createdAt,
          modalities: computer.modalities,
          metadataIsInput: computer.metadataIsInput,
        });
        if (result === null) throw notPending(run);
        await recordBatch(tx, lease, result.copied, lost);
        return result;
      });
      copied = copy.copied;
      toCompute = copy.toCompute;
    }
    let computed = 0;
    // One page ahead: on a server the next page is read, and then computed, while this one is
    // written (the database works in its own processes meanwhile).
    const batches = readAhead(withValues(computer, readPartitionEntities(db.sql, run.entityType, {
      partition: lease.partition,
      partitions: run.partitions,
      modalities: computer.modalities,
      metadataIsInput: computer.metadataIsInput,
      requiredModality: computer.requiredModality,
      ...(toCompute ? { onlyEntityIds: toCompute } : {}),
      batchSize: settings.batchSize,
    })));
    for await (const { entities, rows } of batches) {
      if (leaseLost) throw lost();
      await db.transaction(async (tx) => {
        if (!(await countPartitionRows(tx, lease, 0))) throw lost();
        if (rows.length > 0) await writeFeatureValues({ sql: tx }, run.version, rows);
        await recordBatch(tx, lease, entities.length, lost);
      });
      computed += entities.length;
      await hooks.afterBatch?.({ runId: lease.runId, partition: lease.partition, worker: lease.worker, computedKeys: entities.map((entity) => entity.externalId) });
    }
    if (!(await completePartition(db.sql, lease))) throw lost();
    return { entities: copied + computed, computed, copied };
  } finally {
    clearInterval(heartbeat);
  }
}

async function* withValues(computer: ValueComputer, pages: AsyncIterable<PartitionEntity[]>): AsyncGenerator<{ entities: PartitionEntity[]; rows: FeatureValueRow[] }> {
  for await (const entities of pages) yield { entities, rows: computer.compute(entities) };
}

async function recordBatch(tx: SqlClient, lease: PartitionLease, entities: number, lost: () => Error): Promise<void> {
  if (entities === 0) return;
  if (!(await countPartitionRows(tx, lease, entities))) throw lost();
  await advanceRunProgress(tx, lease.runId, entities);
}

function notPending(run: RunContext): VersionStateError {
  return new VersionStateError(`version ${run.version.version} of feature set "${run.version.featureSetName}" is no longer pending: run ${run.runId} cannot write to it`);
}
