/**
 * Batched ingestion with the importers' checks: a batch is written in one transaction, and the
 * first bad element rejects all of it with its index and field (BAD_USER_INPUT), so nothing
 * partial is ever stored.
 */
import { Ingestor, type IngestSummary } from '../../store/ingest/Ingestor.ts';
import { IngestError } from '../../store/ingest/IngestError.ts';
import type { EntityType, FieldType, IngestItem, Metadata } from '../../store/ingest/records.ts';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { checkCount, MAX_INGEST } from './limits.ts';

interface EntityInput { id: string; metadata?: unknown }
interface FieldInput { name: string; type: FieldType; description?: string | null }
interface EventInput { user: string; item: string; type: string; value: number; timestamp: Date; eventId?: string | null; context?: unknown }
interface EmbeddingInput { entity: EntityType; id: string; modality: string; model: string; vector: number[] }

async function ingest(context: ApiContext, argument: string, count: number, items: () => Iterable<IngestItem>) {
  requireScope(context, 'ingest');
  checkCount(argument, count, MAX_INGEST);
  const summary: IngestSummary = await context.db.transaction(async (tx) => {
    const ingestor = await Ingestor.begin(tx);
    for (const item of items()) await ingestor.add(item);
    return ingestor.finish();
  });
  return {
    users: summary.users,
    items: summary.items,
    eventsReceived: summary.events.received,
    eventsInserted: summary.events.inserted,
    embeddingsReceived: summary.embeddings.received,
    embeddingsWritten: summary.embeddings.written,
  };
}

function metadataOf(value: unknown, origin: { batch: string; index: number }): Metadata {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new IngestError(origin, 'metadata', 'expected a JSON object of field values');
  return value as Metadata;
}

function* entities(batch: string, entityType: EntityType, inputs: readonly EntityInput[], fields: readonly FieldInput[] = []): Iterable<IngestItem> {
  for (const [index, field] of fields.entries()) {
    yield { kind: 'field', origin: { batch: 'fields', index }, record: { entityType, name: field.name, type: field.type, ...(field.description ? { description: field.description } : {}) } };
  }
  for (const [index, input] of inputs.entries()) {
    const origin = { batch, index };
    yield { kind: 'entity', origin, record: { entityType, externalId: input.id, metadata: metadataOf(input.metadata, origin) } };
  }
}

export const ingestResolvers = {
  Mutation: {
    ingestUsers: (_: unknown, args: { users: EntityInput[]; fields?: FieldInput[] | null }, context: ApiContext) =>
      ingest(context, 'users', args.users.length, () => entities('users', 'user', args.users, args.fields ?? [])),
    ingestItems: (_: unknown, args: { items: EntityInput[]; fields?: FieldInput[] | null }, context: ApiContext) =>
      ingest(context, 'items', args.items.length, () => entities('items', 'item', args.items, args.fields ?? [])),
    ingestEvents: (_: unknown, args: { events: EventInput[] }, context: ApiContext) =>
      ingest(context, 'events', args.events.length, function* () {
        for (const [index, event] of args.events.entries()) {
          const origin = { batch: 'events', index };
          if (event.context !== undefined && event.context !== null && (typeof event.context !== 'object' || Array.isArray(event.context))) {
            throw new IngestError(origin, 'context', 'expected a JSON object');
          }
          yield {
            kind: 'event',
            origin,
            record: {
              userId: event.user, itemId: event.item, type: event.type, value: event.value, occurredAt: event.timestamp,
              ...(event.eventId ? { clientEventId: event.eventId } : {}),
              ...(event.context ? { context: event.context as Record<string, unknown> } : {}),
            },
          };
        }
      }),
    ingestEmbeddings: (_: unknown, args: { embeddings: EmbeddingInput[] }, context: ApiContext) =>
      ingest(context, 'embeddings', args.embeddings.length, function* () {
        for (const [index, embedding] of args.embeddings.entries()) {
          yield {
            kind: 'embedding',
            origin: { batch: 'embeddings', index },
            record: { entityType: embedding.entity, externalId: embedding.id, modality: embedding.modality, modelName: embedding.model, vector: embedding.vector },
          };
        }
      }),
  },
};
