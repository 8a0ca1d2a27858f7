import type { Database } from '../db/Database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { addLineageEdge } from './lineage.ts';

export interface NewModelVersion {
  readonly name: string;
  readonly config: Prisma.InputJsonValue;
  /** Vocabularies, normalization statistics and the weight manifest. */
  readonly artifacts: Prisma.InputJsonValue;
  readonly weights: Uint8Array;
  readonly metrics?: Prisma.InputJsonValue;
  readonly trainingRunId?: number;
}

export interface StoredModelVersion extends Omit<NewModelVersion, 'trainingRunId'> {
  readonly id: number;
  readonly version: number;
  readonly trainingRunId: number | null;
  readonly createdAt: Date;
}

export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

/** Stores a trained model as the next version of its name and links it to its training run. */
export async function registerModelVersion(db: Database, model: NewModelVersion): Promise<StoredModelVersion> {
  // Two trainers registering the same name at once collide on (name, version): retry.
  for (let attempt = 0; ; attempt++) {
    const latest = await db.prisma.modelVersion.findFirst({ where: { name: model.name }, orderBy: { version: 'desc' }, select: { version: true } });
    try {
      const created = await db.prisma.modelVersion.create({
        data: {
          name: model.name,
          version: (latest?.version ?? 0) + 1,
          config: model.config,
          artifacts: model.artifacts,
          weights: model.weights as Uint8Array<ArrayBuffer>,
          ...(model.metrics === undefined ? {} : { metrics: model.metrics }),
          ...(model.trainingRunId === undefined ? {} : { trainingRunId: model.trainingRunId }),
        },
      });
      if (model.trainingRunId !== undefined) {
        await addLineageEdge(db, { kind: 'training_run', id: model.trainingRunId }, { kind: 'model_version', id: created.id });
      }
      return toStored(created);
    } catch (error) {
      if (attempt >= 3 || (error as { code?: string }).code !== 'P2002') throw error;
    }
  }
}

/** The given version of a model, or its latest when `version` is absent. */
export async function loadModelVersion(db: Database, name: string, version?: number): Promise<StoredModelVersion> {
  const found = await db.prisma.modelVersion.findFirst({
    where: { name, ...(version === undefined ? {} : { version }) },
    orderBy: { version: 'desc' },
  });
  if (!found) throw new ModelNotFoundError(`no model "${name}"${version === undefined ? '' : ` version ${version}`} in the store`);
  return toStored(found);
}

function toStored(row: {
  id: number; name: string; version: number; config: unknown; artifacts: unknown; weights: Uint8Array;
  metrics: unknown; trainingRunId: number | null; createdAt: Date;
}): StoredModelVersion {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    config: row.config as Prisma.InputJsonValue,
    artifacts: row.artifacts as Prisma.InputJsonValue,
    weights: new Uint8Array(row.weights),
    ...(row.metrics === null ? {} : { metrics: row.metrics as Prisma.InputJsonValue }),
    trainingRunId: row.trainingRunId,
    createdAt: row.createdAt,
  };
}
