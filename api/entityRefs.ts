/**
 * Items that a scoring answer names (scored, recommended, similar) are known to exist: the
 * scorer found their vectors or their content. Such an item is handed to GraphQL as a reference,
 * its id and kind only, and its record is loaded (through the request's DataLoader, all the
 * items of a response in one statement) only when the query asks for a field beyond `id`.
 * `recommend { items { item { id } } }` then costs no entity statement at all.
 */
import type { EntityType } from '../store/ingest/records.ts';
import type { ApiContext } from './context.ts';
import { ApiError, ErrorCode } from './errors.ts';
import type { EntityRecord } from './loaders.ts';

export interface EntityRef {
  readonly entityType: EntityType;
  readonly id: string;
}

export const itemRef = (id: string): EntityRef => ({ entityType: 'item', id });

/** The full record behind a reference (or the record itself, when the parent was loaded already). */
export async function entityRecord(entity: EntityRef | EntityRecord, context: ApiContext): Promise<EntityRecord> {
  if ('metadata' in entity) return entity;
  const record = await context.loaders[entity.entityType].load(entity.id);
  if (!record) throw new ApiError(ErrorCode.NOT_FOUND, `no ${entity.entityType} "${entity.id}" in the store`);
  return record;
}

/** Resolvers of the record fields of User and Item, for parents that may be references. */
export const recordFields = {
  metadata: async (entity: EntityRef | EntityRecord, _: unknown, context: ApiContext) => (await entityRecord(entity, context)).metadata,
  createdAt: async (entity: EntityRef | EntityRecord, _: unknown, context: ApiContext) => (await entityRecord(entity, context)).createdAt,
  updatedAt: async (entity: EntityRef | EntityRecord, _: unknown, context: ApiContext) => (await entityRecord(entity, context)).updatedAt,
};
