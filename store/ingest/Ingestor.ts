import type { SqlClient } from '../db/Database.ts';
import { findMissingEntities } from '../sql/findMissingEntities.ts';
import { insertEvents, type EventRow } from '../sql/insertEvents.ts';
import { loadMetadataFields, saveMetadataFields } from '../sql/metadataFields.ts';
import { createModalityIndex, dropModalityIndex, loadModalities, registerModality, type ModalityRow } from '../sql/modalities.ts';
import { upsertEmbeddings } from '../sql/upsertEmbeddings.ts';
import { upsertEntities, type EntityRow } from '../sql/upsertEntities.ts';
import { eventKeyOf } from './eventKey.ts';
import { IngestError } from './IngestError.ts';
import { MetadataSchema } from './MetadataSchema.ts';
import { checkEmbedding, checkEntity, checkEvent } from './checkRecord.ts';
import type { EmbeddingRecord, EntityRecord, EntityType, EventRecord, IngestItem, RecordOrigin } from './records.ts';

export interface EntityCounts {
  received: number;
  inserted: number;
  updated: number;
}

export interface IngestSummary {
  readonly users: EntityCounts;
  readonly items: EntityCounts;
  readonly events: { received: number; inserted: number };
  readonly embeddings: { received: number; written: number };
  readonly newFields: number;
  readonly newModalities: number;
}

export interface IngestorOptions {
  /** Rows per statement. */
  readonly batchSize?: number;
  /** Vectors of one modality above which its index is rebuilt at the end instead of maintained. */
  readonly bulkIndexThreshold?: number;
  /**
   * Bulk loads that search no modality (benchmarks of other parts): drop the indexes of the
   * modalities written in bulk and leave them dropped (createModalityIndex builds one later).
   */
  readonly skipIndexRebuild?: boolean;
}

interface Pending<R> {
  readonly record: R;
  readonly origin: RecordOrigin;
}

export const DEFAULT_BATCH_SIZE = 5_000;

/** Vectors of one modality in one ingest above which its index is rebuilt rather than maintained. */
export const BULK_INDEX_THRESHOLD = 10_000;

/**
 * Checks and writes a stream of ingest items inside one transaction, in batches. Users and items
 * are written before the events and embeddings that follow them, so a source may interleave
 * them. Any invalid item throws an IngestError; the caller's transaction then rolls back, so an
 * ingest either happens whole or not at all.
 */
export class Ingestor {
  private readonly entities: Record<EntityType, Map<string, Pending<EntityRecord>>> = { user: new Map(), item: new Map() };
  private events: Pending<EventRecord>[] = [];
  private readonly embeddings = new Map<number, Map<string, Pending<EmbeddingRecord>>>();
  private readonly modalities = new Map<string, ModalityRow>();
  /** Vectors received per modality id, and the modalities whose index waits for finish(). */
  private readonly receivedPerModality = new Map<number, number>();
  private readonly deferredIndexes = new Set<ModalityRow>();
  private readonly summary = {
    users: { received: 0, inserted: 0, updated: 0 },
    items: { received: 0, inserted: 0, updated: 0 },
    events: { received: 0, inserted: 0 },
    embeddings: { received: 0, written: 0 },
    newFields: 0,
    newModalities: 0,
  };
  private readonly sql: SqlClient;
  private readonly schema: MetadataSchema;
  private readonly batchSize: number;
  private readonly bulkIndexThreshold: number;
  private readonly skipIndexRebuild: boolean;

  private constructor(sql: SqlClient, schema: MetadataSchema, modalities: ModalityRow[], options: Required<IngestorOptions>) {
    this.sql = sql;
    this.schema = schema;
    this.batchSize = options.batchSize;
    this.bulkIndexThreshold = options.bulkIndexThreshold;
    this.skipIndexRebuild = options.skipIndexRebuild;
    for (const modality of modalities) this.modalities.set(modalityKey(modality.entityType, modality.name), modality);
  }

  /** Starts ingesting through `sql`, which should be a transaction. */
  static async begin(sql: SqlClient, options: IngestorOptions = {}): Promise<Ingestor> {
    const [fields, modalities] = [await loadMetadataFields(sql), await loadModalities(sql)];
    return new Ingestor(sql, new MetadataSchema(fields), modalities, {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      bulkIndexThreshold: options.bulkIndexThreshold ?? BULK_INDEX_THRESHOLD,
      skipIndexRebuild: options.skipIndexRebuild ?? false,
    });
  }

  async add(item: IngestItem): Promise<void> {
    switch (item.kind) {
      case 'field':
        this.schema.declare(item.record, item.origin);
        return;
      case 'entity':
        return this.addEntity(item.record, item.origin);
      case 'event':
        return this.addEvent(item.record, item.origin);
      case 'embedding':
        return this.addEmbedding(item.record, item.origin);
    }
  }

  /** Writes what is still buffered and returns what the whole ingest did. */
  async finish(): Promise<IngestSummary> {
    await this.flushEntities();
    await this.flushEvents();
    for (const modalityId of this.embeddings.keys()) await this.flushEmbeddings(modalityId);
    if (!this.skipIndexRebuild) for (const modality of this.deferredIndexes) await createModalityIndex(this.sql, modality);
    return structuredClone(this.summary);
  }

  private async addEntity(record: EntityRecord, origin: RecordOrigin): Promise<void> {
    checkEntity(record, origin);
    const metadata = this.schema.check(record.entityType, record.metadata, origin);
    const buffer = this.entities[record.entityType];
    // A later record for the same id replaces an earlier one in the same batch.
    buffer.delete(record.externalId);
    buffer.set(record.externalId, { record: { ...record, metadata }, origin });
    this.summary[record.entityType === 'user' ? 'users' : 'items'].received++;
    if (buffer.size >= this.batchSize) await this.flushEntities();
  }

  private async addEvent(record: EventRecord, origin: RecordOrigin): Promise<void> {
    checkEvent(record, origin);
    this.events.push({ record, origin });
    this.summary.events.received++;
    if (this.events.length >= this.batchSize) await this.flushEvents();
  }

  private async addEmbedding(record: EmbeddingRecord, origin: RecordOrigin): Promise<void> {
    checkEmbedding(record, origin);
    const modality = await this.modalityFor(record, origin);
    let buffer = this.embeddings.get(modality.id);
    if (!buffer) this.embeddings.set(modality.id, (buffer = new Map()));
    buffer.delete(record.externalId);
    buffer.set(record.externalId, { record, origin });
    this.summary.embeddings.received++;
    const received = (this.receivedPerModality.get(modality.id) ?? 0) + 1;
    this.receivedPerModality.set(modality.id, received);
    if (received > this.bulkIndexThreshold && !this.deferredIndexes.has(modality)) {
      await dropModalityIndex(this.sql, modality.id);
      this.deferredIndexes.add(modality);
    }
    if (buffer.size >= this.batchSize) await this.flushEmbeddings(modality.id);
  }

  private async modalityFor(record: EmbeddingRecord, origin: RecordOrigin): Promise<ModalityRow> {
    const key = modalityKey(record.entityType, record.modality);
    const known = this.modalities.get(key);
    if (!known) {
      const created = await registerModality(this.sql, {
        entityType: record.entityType,
        name: record.modality,
        modelName: record.modelName,
        dimension: record.vector.length,
      });
      this.modalities.set(key, created);
      this.summary.newModalities++;
      return created;
    }
    if (known.dimension !== record.vector.length) {
      throw new IngestError(
        origin,
        'vector',
        `expected ${known.dimension} dimensions for ${record.entityType} modality "${record.modality}", got ${record.vector.length}`,
      );
    }
    if (known.modelName !== record.modelName) {
      throw new IngestError(
        origin,
        'model',
        `${record.entityType} modality "${record.modality}" holds vectors of model "${known.modelName}", not "${record.modelName}": use another modality name`,
      );
    }
    return known;
  }

  private async flushFields(): Promise<void> {
    const fields = this.schema.takeNewDeclarations();
    await saveMetadataFields(this.sql, fields);
    this.summary.newFields += fields.length;
  }

  private async flushEntities(): Promise<void> {
    await this.flushFields();
    for (const entityType of ['user', 'item'] as const) {
      const buffer = this.entities[entityType];
      if (buffer.size === 0) continue;
      const rows: EntityRow[] = [...buffer.values()].map(({ record }) => record);
      buffer.clear();
      const counts = await upsertEntities(this.sql, entityType, rows);
      const total = this.summary[entityType === 'user' ? 'users' : 'items'];
      total.inserted += counts.inserted;
      total.updated += counts.updated;
    }
  }

  private async flushEvents(): Promise<void> {
    if (this.events.length === 0) return;
    await this.flushEntities();
    const batch = this.events;
    this.events = [];
    await this.requireKnown('user', 'user', batch.map(({ record, origin }) => ({ id: record.userId, origin })));
    await this.requireKnown('item', 'item', batch.map(({ record, origin }) => ({ id: record.itemId, origin })));
    const rows: EventRow[] = batch.map(({ record }) => ({
      eventKey: eventKeyOf(record),
      clientEventId: record.clientEventId ?? null,
      userId: record.userId,
      itemId: record.itemId,
      type: record.type,
      value: record.value,
      occurredAt: record.occurredAt,
      context: record.context ?? null,
    }));
    this.summary.events.inserted += await insertEvents(this.sql, rows);
  }

  private async flushEmbeddings(modalityId: number): Promise<void> {
    const buffer = this.embeddings.get(modalityId);
    if (!buffer || buffer.size === 0) return;
    await this.flushEntities();
    const batch = [...buffer.values()];
    buffer.clear();
    const entityType = batch[0]!.record.entityType;
    await this.requireKnown(entityType, 'id', batch.map(({ record, origin }) => ({ id: record.externalId, origin })));
    const rows = batch.map(({ record }) => ({ externalId: record.externalId, vector: record.vector }));
    this.summary.embeddings.written += await upsertEmbeddings(this.sql, { id: modalityId, entityType }, rows);
  }

  /** Throws for the first reference to a user or item the store does not have. */
  private async requireKnown(
    entityType: EntityType,
    field: string,
    references: readonly { id: string; origin: RecordOrigin }[],
  ): Promise<void> {
    const missing = await findMissingEntities(this.sql, entityType, [...new Set(references.map((ref) => ref.id))]);
    if (missing.size === 0) return;
    const first = references.find((ref) => missing.has(ref.id))!;
    throw new IngestError(first.origin, field, `unknown ${entityType} "${first.id}": ingest the ${entityType} before what refers to it`);
  }
}

function modalityKey(entityType: EntityType, name: string): string {
  return `${entityType}/${name}`;
}
