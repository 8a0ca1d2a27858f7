import type { Database } from '../store/db/Database.ts';
import type { IngestSummary } from '../store/ingest/Ingestor.ts';
import type { ImportSource } from '../store/import/ImportSource.ts';
import { importData } from '../store/import/importData.ts';
import { startProgress } from './progress.ts';

/** Imports a data set with a progress bar over the bytes of its files. */
export async function importWithProgress(db: Database, source: ImportSource): Promise<IngestSummary> {
  const progress = startProgress(`import ${source.format}`, source.totalBytes);
  try {
    return await importData(db, source, (bytes) => progress.advance(bytes));
  } finally {
    progress.stop();
  }
}
