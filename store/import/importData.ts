import type { Database } from '../db/Database.ts';
import { Ingestor, type IngestSummary } from '../ingest/Ingestor.ts';
import type { IngestItem } from '../ingest/records.ts';
import type { ByteProgress } from './readLines.ts';

export interface ImportableSource {
  read(onBytes?: ByteProgress): AsyncIterable<IngestItem>;
}

/**
 * Ingests a whole source in one transaction: a bad record anywhere rolls back everything the
 * import wrote, so the store is exactly as before, and a completed import is visible at once.
 */
export async function importData(db: Database, source: ImportableSource, onBytes?: ByteProgress): Promise<IngestSummary> {
  return db.transaction(async (tx) => {
    const ingestor = await Ingestor.begin(tx);
    for await (const item of source.read(onBytes)) await ingestor.add(item);
    return ingestor.finish();
  });
}
