import type { EntityType, FieldDeclaration } from '../../store/ingest/records.ts';

/**
 * The names among `names` that the store declares for `entityType`: encoder options may only
 * name declared fields, and a protocol's defaults (e.g. leave out `zip`) must still work on a
 * store that lacks some of them.
 */
export function declaredFields(fields: readonly FieldDeclaration[], entityType: EntityType, names: readonly string[]): string[] {
  const declared = new Set(fields.filter((field) => field.entityType === entityType).map((field) => field.name));
  return names.filter((name) => declared.has(name));
}
