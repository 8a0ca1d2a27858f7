import type { Database } from '../db/Database.ts';
import { Ingestor, type IngestSummary } from '../ingest/Ingestor.ts';
import { demoDataSource, type DemoDataOptions } from './demoData.ts';

/**
 * Loads a large generated data set (benchmarks: 100k items and more) in one transaction, like
 * `synthstore demo-data`, with one difference: the modalities' HNSW indexes are left dropped
 * (building them is most of the cost at this size on PGlite, ~60 s per 100k vectors, and
 * nothing but modality similarity search uses them); `createModalityIndex` builds one later.
 */
export async function loadDemoData(db: Database, options: DemoDataOptions): Promise<IngestSummary> {
  return db.transaction(async (tx) => {
    const ingestor = await Ingestor.begin(tx, { bulkIndexThreshold: 0, skipIndexRebuild: true });
    for await (const item of demoDataSource(options).read()) await ingestor.add(item);
    return ingestor.finish();
  });
}
