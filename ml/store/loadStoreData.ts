import type { IdentifiedEntity } from '../data/EntityTable.ts';
import type { ModalityDeclaration } from '../features/EntityEncoder.ts';
import type { Database } from '../../store/db/Database.ts';
import type { FieldDeclaration } from '../../store/ingest/records.ts';
import { readEntities } from '../../store/sql/readEntities.ts';
import { readEvents, type StoredEvent } from '../../store/sql/readEvents.ts';
import { loadMetadataFields } from '../../store/sql/metadataFields.ts';
import { loadModalities } from '../../store/sql/modalities.ts';

/** Everything a model learns from, read from the store in one consistent snapshot. */
export interface StoreData {
  readonly fields: readonly FieldDeclaration[];
  readonly modalities: readonly ModalityDeclaration[];
  readonly users: readonly IdentifiedEntity[];
  readonly items: readonly IdentifiedEntity[];
  /** Time-ordered. */
  readonly events: readonly StoredEvent[];
}

/** Reads entities with their vectors and the events up to `until` (inclusive) in one transaction. */
export async function loadStoreData(db: Database, until?: Date): Promise<StoreData> {
  return db.transaction(async (tx) => {
    // Repeatable reads: counts, entities and events must agree with each other.
    if (db.mode === 'server') await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const fields = await loadMetadataFields(tx);
    const modalities = (await loadModalities(tx)).map((modality) => ({ name: modality.name, dimension: modality.dimension, entityType: modality.entityType }));
    const users = await readEntities(tx, 'user', { modalities: true });
    const items = await readEntities(tx, 'item', { modalities: true });
    const events = await readEvents(tx, until ? { until } : {});
    return { fields, modalities, users, items, events };
  });
}
