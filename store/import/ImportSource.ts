import type { IngestItem } from '../ingest/records.ts';
import type { ByteProgress } from './readLines.ts';

/**
 * A data set on disk, read as a stream of ingest items. `totalBytes` lets the CLI draw a
 * progress bar; `read` reports the bytes it has consumed.
 */
export interface ImportSource {
  readonly format: string;
  readonly files: readonly string[];
  readonly totalBytes: number;
  read(onBytes?: ByteProgress): AsyncIterable<IngestItem>;
}
