import type { IngestItem } from '../ingest/records.ts';
import type { ImportSource } from './ImportSource.ts';

/**
 * The same source with every user, item and client event id prefixed, so that two data sets whose ids overlap
 * (MovieLens and CiteULike both number from 0 or 1) can live in one store without one
 * overwriting the other's entities.
 */
export function prefixIds(source: ImportSource, prefix: string): ImportSource {
  if (prefix === '') return source;
  return {
    ...source,
    async *read(onBytes) {
      for await (const item of source.read(onBytes)) yield withPrefix(item, prefix);
    },
  };
}

function withPrefix(item: IngestItem, prefix: string): IngestItem {
  switch (item.kind) {
    case 'field':
      return item;
    case 'entity':
    case 'embedding':
      return { ...item, record: { ...item.record, externalId: prefix + item.record.externalId } } as IngestItem;
    case 'event': {
      const { record } = item;
      // Client event ids deduplicate across the whole store: they need the prefix as well.
      const clientEventId = record.clientEventId === undefined ? undefined : prefix + record.clientEventId;
      return { ...item, record: { ...record, userId: prefix + record.userId, itemId: prefix + record.itemId, clientEventId } };
    }
  }
}
