/**
 * What ingestion accepts, whatever the source (file importers, demo data, the API).
 *
 * Glossary:
 * - external id: the client's own string id of a user or item.
 * - metadata: typed non-event data about an entity; each field has a declared type
 *   (see MetadataField) and values are checked against it.
 * - modality: a named embedding space (e.g. "image" vectors from model "clip-vit-b32") with a
 *   fixed dimension, recorded the first time it is seen.
 * - origin: where a record came from, so that an error can name the file and line (or the
 *   index in an API batch) and the field.
 */

export const ENTITY_TYPES = ['user', 'item'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const FIELD_TYPES = ['numeric', 'categorical', 'tags', 'text', 'boolean', 'date'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type MetadataValue = number | string | boolean | string[];
export type Metadata = Record<string, MetadataValue>;

export type RecordOrigin =
  | { readonly file: string; readonly line: number }
  | { readonly batch: string; readonly index: number };

export interface EntityRecord {
  readonly entityType: EntityType;
  readonly externalId: string;
  readonly metadata: Metadata;
}

export interface EventRecord {
  readonly userId: string;
  readonly itemId: string;
  readonly type: string;
  readonly value: number;
  readonly occurredAt: Date;
  readonly clientEventId?: string | undefined;
  readonly context?: Record<string, unknown> | undefined;
}

export interface EmbeddingRecord {
  readonly entityType: EntityType;
  readonly externalId: string;
  readonly modality: string;
  readonly modelName: string;
  readonly vector: readonly number[];
}

/** A field declaration: from an importer that knows its format, or a schema.json. */
export interface FieldDeclaration {
  readonly entityType: EntityType;
  readonly name: string;
  readonly type: FieldType;
  readonly description?: string | undefined;
}

/** One unit of ingestion with its origin; sources yield a stream of these. */
export type IngestItem =
  | { readonly kind: 'field'; readonly origin: RecordOrigin; readonly record: FieldDeclaration }
  | { readonly kind: 'entity'; readonly origin: RecordOrigin; readonly record: EntityRecord }
  | { readonly kind: 'event'; readonly origin: RecordOrigin; readonly record: EventRecord }
  | { readonly kind: 'embedding'; readonly origin: RecordOrigin; readonly record: EmbeddingRecord };
