/**
 * Everything a model learns from, read from the store at once: metadata field declarations,
 * modalities, users and items (with their modality vectors) and events in time order. Training
 * and evaluation read the store, never data files: import those first.
 */
import type { ModalityDeclaration } from '../features/EntityEncoder.ts';
import type { Database } from '../../store/db/Database.ts';
import type { FieldDeclaration } from '../../store/ingest/records.ts';
import { readEntities, type StoredEntity } from '../../store/sql/readEntities.ts';
import { readEvents, type StoredEvent } from '../../store/sql/readEvents.ts';
import { loadMetadataFields } from '../../store/sql/metadataFields.ts';
import { loadModalities } from '../../store/sql/modalities.ts';

export interface StoreData {
  readonly fields: readonly FieldDeclaration[];
  readonly modalities: readonly ModalityDeclaration[];
  readonly users: readonly StoredEntity[];
  readonly items: readonly StoredEntity[];
  /** Time-ordered. */
  readonly events: readonly StoredEvent[];
}

export interface LoadStoreDataOptions {
  /** Only events up to this time (inclusive), e.g. a data snapshot's watermark. */
  readonly until?: Date | undefined;
  /** Only events of these types (e.g. ["rating"]); default: all. */
  readonly eventTypes?: readonly string[];
  /** Load modality vectors; default true. */
  readonly modalities?: boolean;
}

/** Reads in one transaction, so that entities and events agree with each other. */
export async function loadStoreData(db: Database, options: LoadStoreDataOptions = {}): Promise<StoreData> {
  const withVectors = options.modalities ?? true;
  return db.transaction(async (tx) => {
    // Repeatable reads on a server: other sessions may ingest meanwhile.
    if (db.mode === 'server') await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const fields = await loadMetadataFields(tx);
    const modalities = withVectors
      ? (await loadModalities(tx)).map((row) => ({ name: row.name, dimension: row.dimension, entityType: row.entityType }))
      : [];
    const users = await readEntities(tx, 'user', { modalities: withVectors });
    const items = await readEntities(tx, 'item', { modalities: withVectors });
    const events = await readEvents(tx, {
      ...(options.until ? { until: options.until } : {}),
      ...(options.eventTypes ? { types: options.eventTypes } : {}),
    });
    return { fields, modalities, users, items, events };
  });
}
