/**
 * The registry of feature sets (Prisma: plain relational CRUD). Registering a definition
 * creates the feature set, applies a compatible change in place, or records an incompatible
 * change as the schema of the next version: versions that exist keep their own schema.
 */
import type { Database } from '../db/Database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import {
  classifyDefinitionChange,
  defineFeatureSet,
  vectorFeature,
  type DefinitionField,
  type FeatureSetDefinition,
  type VersionSchema,
} from './FeatureSetDefinition.ts';
import { FeatureSetInputError, FeatureSetNotFoundError } from './errors.ts';

/** A registered feature set: its current definition, whose schema the next version will use. */
export type StoredFeatureSet = FeatureSetDefinition & {
  readonly id: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
};

export interface RegisterResult {
  /**
   * - created: a new feature set;
   * - unchanged: the same definition was registered already;
   * - updated: owner, description, tags or TTL changed in place;
   * - schema_changed: features or source changed: the next version will use the new schema.
   */
  readonly outcome: 'created' | 'unchanged' | 'updated' | 'schema_changed';
  /** The fields that differ from the stored definition. */
  readonly changedFields: readonly DefinitionField[];
  readonly featureSet: StoredFeatureSet;
}

type FeatureSetRecord = Prisma.FeatureSetGetPayload<object>;

/**
 * Registers a definition (validated here; `defineFeatureSet` errors are FeatureSetInputError).
 * Changing the entity type or kind is refused: that is a different feature set, with a new name.
 * For an embedding set, a modality of that name that exists must have the vector's dimension.
 */
export async function registerFeatureSet(db: Pick<Database, 'prisma'>, input: unknown): Promise<RegisterResult> {
  const definition = defineFeatureSet(input);
  await checkModality(db, definition);
  // Two registrations of a new name at once collide on the unique name: the loser retries as an update.
  for (let attempt = 0; ; attempt++) {
    const existing = await db.prisma.featureSet.findUnique({ where: { name: definition.name } });
    if (!existing) {
      try {
        const created = await db.prisma.featureSet.create({ data: toData(definition) });
        return { outcome: 'created', changedFields: [], featureSet: toStored(created) };
      } catch (error) {
        if (attempt >= 2 || (error as { code?: string }).code !== 'P2002') throw error;
        continue;
      }
    }
    const change = classifyDefinitionChange(toStored(existing), definition);
    switch (change.kind) {
      case 'unchanged':
        return { outcome: 'unchanged', changedFields: [], featureSet: toStored(existing) };
      case 'forbidden':
        throw new FeatureSetInputError(`cannot change ${change.fields.join(' and ')} of feature set "${definition.name}": register a feature set with a new name`, []);
      case 'compatible':
      case 'incompatible': {
        const updated = await db.prisma.featureSet.update({ where: { id: existing.id }, data: toData(definition) });
        return { outcome: change.kind === 'compatible' ? 'updated' : 'schema_changed', changedFields: change.fields, featureSet: toStored(updated) };
      }
    }
  }
}

/** A feature set by name or id; throws FeatureSetNotFoundError. */
export async function getFeatureSet(db: Pick<Database, 'prisma'>, nameOrId: string | number): Promise<StoredFeatureSet> {
  const found = await db.prisma.featureSet.findUnique({ where: typeof nameOrId === 'number' ? { id: nameOrId } : { name: nameOrId } });
  if (!found) throw new FeatureSetNotFoundError(nameOrId);
  return toStored(found);
}

/** The schema the next version of a feature set will be materialized with. */
export function nextVersionSchema(featureSet: FeatureSetDefinition): VersionSchema {
  return { features: featureSet.features, source: featureSet.source };
}

async function checkModality(db: Pick<Database, 'prisma'>, definition: FeatureSetDefinition): Promise<void> {
  if (definition.kind !== 'embedding') return;
  const modality = await db.prisma.modality.findUnique({ where: { entityType_name: { entityType: definition.entityType, name: definition.source.modality } } });
  const vector = vectorFeature(definition.features);
  if (modality && vector && modality.dimension !== vector.dimension) {
    throw new FeatureSetInputError('invalid feature set definition', [
      `features.${vector.name}.dimension: modality "${modality.name}" of ${definition.entityType}s has dimension ${modality.dimension}, got ${vector.dimension}`,
    ]);
  }
}

function toData(definition: FeatureSetDefinition) {
  return {
    name: definition.name,
    entityType: definition.entityType,
    kind: definition.kind,
    owner: definition.owner,
    description: definition.description,
    tags: definition.tags,
    ttlSeconds: definition.ttlSeconds ?? null,
    source: definition.source as Prisma.InputJsonValue,
    features: definition.features as unknown as Prisma.InputJsonValue,
  };
}

/** Stored rows are re-validated, so that a row written by hand cannot pass for a definition. */
export function toStored(record: FeatureSetRecord): StoredFeatureSet {
  const definition = defineFeatureSet({
    name: record.name,
    entityType: record.entityType,
    kind: record.kind,
    owner: record.owner,
    description: record.description,
    tags: record.tags,
    ...(record.ttlSeconds === null ? {} : { ttlSeconds: record.ttlSeconds }),
    source: record.source,
    features: record.features,
  });
  return { ...definition, id: record.id, createdAt: record.createdAt, updatedAt: record.updatedAt };
}
