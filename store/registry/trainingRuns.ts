import type { Database } from '../db/Database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { codeVersion } from './codeVersion.ts';
import { addLineageEdge } from './lineage.ts';

export interface EpochLog {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss?: number;
  readonly learningRate: number;
  readonly syntheticMagnitude?: number;
  readonly seconds: number;
  readonly [metric: string]: number | undefined;
}

export interface SizeChange {
  readonly epoch: number;
  readonly kind: 'widen' | 'add_layer' | 'prune';
  readonly [detail: string]: unknown;
}

/** Opens a training run on a data snapshot; its epochs and size changes are appended as it goes. */
export async function startTrainingRun(
  db: Database,
  run: { config: Prisma.InputJsonValue; seed: number; backend: string; dataSnapshotId: number },
): Promise<number> {
  const created = await db.prisma.trainingRun.create({
    data: { ...run, status: 'running', codeVersion: codeVersion(), startedAt: new Date() },
  });
  await addLineageEdge(db, { kind: 'data_snapshot', id: run.dataSnapshotId }, { kind: 'training_run', id: created.id });
  return created.id;
}

/** Replaces the run's per-epoch log and size changes (small: one entry per epoch). */
export async function recordTrainingProgress(db: Database, runId: number, epochs: readonly EpochLog[], sizeChanges: readonly SizeChange[]): Promise<void> {
  await db.prisma.trainingRun.update({
    where: { id: runId },
    data: { epochs: epochs as Prisma.InputJsonValue, sizeChanges: sizeChanges as Prisma.InputJsonValue },
  });
}

export async function finishTrainingRun(
  db: Database,
  runId: number,
  outcome: { status: 'succeeded'; metrics: Prisma.InputJsonValue } | { status: 'failed' | 'cancelled'; error: string },
): Promise<void> {
  await db.prisma.trainingRun.update({
    where: { id: runId },
    data: {
      status: outcome.status,
      finishedAt: new Date(),
      ...(outcome.status === 'succeeded' ? { metrics: outcome.metrics } : { error: outcome.error }),
    },
  });
}
