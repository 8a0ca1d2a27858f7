/**
 * Writes a stream of ingest items as the generic JSONL import format (store/import/jsonl.ts):
 * schema.json, users.jsonl, items.jsonl, events.jsonl and embeddings.jsonl in one directory.
 * All five files are (re)written, so files of an earlier run in the same directory never mix in.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EntityType, FieldType, IngestItem } from '../ingest/records.ts';

export interface JsonlCounts {
  users: number;
  items: number;
  events: number;
  embeddings: number;
}

const FLUSH_BYTES = 1 << 20;

/** A file written in large chunks, awaiting each write, so memory stays bounded. */
class ChunkedFile {
  readonly #handle: fs.FileHandle;
  #pending: string[] = [];
  #pendingLength = 0;

  private constructor(handle: fs.FileHandle) {
    this.#handle = handle;
  }

  static async create(file: string): Promise<ChunkedFile> {
    return new ChunkedFile(await fs.open(file, 'w'));
  }

  async writeLine(value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    this.#pending.push(line);
    this.#pendingLength += line.length;
    if (this.#pendingLength >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingLength = 0;
    await this.#handle.write(text, null, 'utf8');
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.#handle.close();
    }
  }
}

export async function writeJsonl(source: AsyncIterable<IngestItem>, dir: string): Promise<JsonlCounts> {
  await fs.mkdir(dir, { recursive: true });
  const schemaFile = path.join(dir, 'schema.json');
  await fs.rm(schemaFile, { force: true }); // written last: never a stale schema beside new data
  const schema: Record<EntityType, Record<string, FieldType>> = { user: {}, item: {} };
  const counts: JsonlCounts = { users: 0, items: 0, events: 0, embeddings: 0 };
  const files: Record<keyof JsonlCounts, ChunkedFile | undefined> = { users: undefined, items: undefined, events: undefined, embeddings: undefined };
  try {
    for (const kind of ['users', 'items', 'events', 'embeddings'] as const) files[kind] = await ChunkedFile.create(path.join(dir, `${kind}.jsonl`));
    const { users, items, events, embeddings } = files as Record<keyof JsonlCounts, ChunkedFile>;
    for await (const item of source) {
      switch (item.kind) {
        case 'field': {
          const { entityType, name, type } = item.record;
          const declared = schema[entityType][name];
          if (declared !== undefined && declared !== type) {
            throw new Error(`${entityType} field "${name}" is declared both as ${declared} and as ${type}`);
          }
          schema[entityType][name] = type;
          break;
        }
        case 'entity': {
          const { entityType, externalId, metadata } = item.record;
          await (entityType === 'user' ? users : items).writeLine({ id: externalId, metadata });
          counts[entityType === 'user' ? 'users' : 'items']++;
          break;
        }
        case 'event': {
          const { userId, itemId, type, value, occurredAt, clientEventId, context } = item.record;
          await events.writeLine({
            user: userId,
            item: itemId,
            type,
            value,
            timestamp: occurredAt.toISOString(),
            ...(clientEventId === undefined ? {} : { eventId: clientEventId }),
            ...(context === undefined ? {} : { context }),
          });
          counts.events++;
          break;
        }
        case 'embedding': {
          const { entityType, externalId, modality, modelName, vector } = item.record;
          await embeddings.writeLine({ entity: entityType, id: externalId, modality, model: modelName, vector });
          counts.embeddings++;
          break;
        }
      }
    }
  } finally {
    // Close every file even when the source failed; the first error is the one reported.
    await Promise.allSettled(Object.values(files).map((file) => file?.close()));
  }
  await fs.writeFile(schemaFile, `${JSON.stringify(schema, null, 2)}\n`);
  return counts;
}
