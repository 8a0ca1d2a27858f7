import { IngestError } from './IngestError.ts';
import { ENTITY_TYPES, type EmbeddingRecord, type EntityRecord, type EventRecord, type RecordOrigin } from './records.ts';

const MAX_ID_LENGTH = 256;
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

// Checks that hold whatever the source: a file importer, demo data or an API batch. Field names
// in messages are those of the JSONL format and the GraphQL inputs, which use the same names.

export function checkEntity(record: EntityRecord, origin: RecordOrigin): void {
  checkEntityType(record.entityType, origin, 'entity');
  checkId(record.externalId, origin, 'id');
}

export function checkEvent(record: EventRecord, origin: RecordOrigin): void {
  checkId(record.userId, origin, 'user');
  checkId(record.itemId, origin, 'item');
  if (typeof record.type !== 'string' || !NAME.test(record.type)) {
    throw new IngestError(origin, 'type', `expected an event type such as "click" or "rating", got ${JSON.stringify(record.type)}`);
  }
  if (typeof record.value !== 'number' || !Number.isFinite(record.value)) {
    throw new IngestError(origin, 'value', `expected a finite number, got ${String(record.value)}`);
  }
  if (!(record.occurredAt instanceof Date) || Number.isNaN(record.occurredAt.getTime())) {
    throw new IngestError(origin, 'timestamp', 'expected an ISO 8601 time or seconds since 1970');
  }
  if (record.clientEventId !== undefined) checkId(record.clientEventId, origin, 'eventId');
}

export function checkEmbedding(record: EmbeddingRecord, origin: RecordOrigin): void {
  checkEntityType(record.entityType, origin, 'entity');
  checkId(record.externalId, origin, 'id');
  if (typeof record.modality !== 'string' || !NAME.test(record.modality)) {
    throw new IngestError(origin, 'modality', `expected a modality name such as "image", got ${JSON.stringify(record.modality)}`);
  }
  if (typeof record.modelName !== 'string' || record.modelName.length === 0) {
    throw new IngestError(origin, 'model', 'expected the name of the model that made the vector');
  }
  if (!Array.isArray(record.vector) || record.vector.length === 0) {
    throw new IngestError(origin, 'vector', 'expected a non-empty array of numbers');
  }
  const bad = record.vector.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
  if (bad >= 0) {
    throw new IngestError(origin, `vector[${bad}]`, `expected a finite number, got ${String(record.vector[bad])}`);
  }
}

function checkEntityType(value: unknown, origin: RecordOrigin, field: string): void {
  if (!ENTITY_TYPES.includes(value as never)) {
    throw new IngestError(origin, field, `expected "user" or "item", got ${JSON.stringify(value)}`);
  }
}

function checkId(value: unknown, origin: RecordOrigin, field: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new IngestError(origin, field, `expected a non-empty string id of at most ${MAX_ID_LENGTH} characters, got ${JSON.stringify(value)}`);
  }
}
