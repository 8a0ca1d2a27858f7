/** Builders shared by the materialization tests: items with metadata and an image vector, two feature sets. */
import type { Database } from '../../store/db/Database.ts';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { registerModality } from '../../store/sql/modalities.ts';
import { upsertEmbeddings } from '../../store/sql/upsertEmbeddings.ts';
import { upsertEntities } from '../../store/sql/upsertEntities.ts';
import { layoutRowsSql, readVersionRowLayout } from '../../store/sql/versionRows.ts';
import type { MaterializeSettings } from '../../jobs/interfaces.ts';

export const itemKey = (i: number) => `item-${String(i).padStart(5, '0')}`;

export function itemMetadata(i: number, price = i) {
  return { price, category: `c${i % 5}` };
}

export function imageVector(i: number, shift = 0): number[] {
  return [i % 7, (i % 11) / 10, shift, 1];
}

/** Items 0..n-1 with metadata and an `image` vector, plus a raw and an embedding feature set over them. */
export async function seedItems(db: Database, n: number, prefix = 'mat'): Promise<{ raw: string; embedding: string; modalityId: number }> {
  const keys = Array.from({ length: n }, (_, i) => i);
  await upsertEntities(db.sql, 'item', keys.map((i) => ({ externalId: itemKey(i), metadata: itemMetadata(i) })));
  const modality = await registerModality(db.sql, { entityType: 'item', name: 'image', modelName: 'test-cnn', dimension: 4 });
  await upsertEmbeddings(db.sql, { id: modality.id, entityType: 'item' }, keys.map((i) => ({ externalId: itemKey(i), vector: imageVector(i) })));
  const raw = `${prefix}_raw`;
  const embedding = `${prefix}_image`;
  await registerFeatureSet(db, {
    name: raw, entityType: 'item', kind: 'raw', owner: 'team-recs', source: { fields: ['price', 'category'] },
    features: [{ name: 'price', type: 'numeric' }, { name: 'category', type: 'categorical' }],
  });
  await registerFeatureSet(db, {
    name: embedding, entityType: 'item', kind: 'embedding', owner: 'team-recs', source: { modality: 'image' },
    features: [{ name: 'image', type: 'vector', dimension: 4 }],
  });
  return { raw, embedding, modalityId: modality.id };
}

export const FAST_SETTINGS: MaterializeSettings = { leaseSeconds: 30, maxAttempts: 3, batchSize: 50 };

/** Rows of a version: total and distinct entity keys. */
/** Rows and distinct entity keys of a version: its own, merged with its row base's for a delta version. */
export async function countRows(db: Database, versionId: number): Promise<{ rows: number; keys: number }> {
  const rows = layoutRowsSql(await readVersionRowLayout(db.sql, versionId));
  const [row] = await db.sql.query<{ rows: number; keys: number }>(`SELECT count(*)::int AS rows, count(DISTINCT entity_key)::int AS keys FROM ${rows} fv`);
  return row!;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
