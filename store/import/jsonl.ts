/**
 * The generic JSON Lines format (documented in README.md): a directory with any of
 * schema.json, users.jsonl, items.jsonl, events.jsonl, embeddings.jsonl, read in that order,
 * or a single such file whose name starts with users, items, events or embeddings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IngestError } from '../ingest/IngestError.ts';
import { ENTITY_TYPES, FIELD_TYPES, type EntityType, type IngestItem, type RecordOrigin } from '../ingest/records.ts';
import { totalSize } from './files.ts';
import { ImportFileError } from './ImportFileError.ts';
import type { ImportSource } from './ImportSource.ts';
import { readLines, type ByteProgress } from './readLines.ts';

const KINDS = ['users', 'items', 'events', 'embeddings'] as const;
type FileKind = (typeof KINDS)[number];
type JsonObject = Record<string, unknown>;

const ALLOWED_KEYS: Record<FileKind, readonly string[]> = {
  users: ['id', 'metadata'],
  items: ['id', 'metadata'],
  events: ['user', 'item', 'type', 'value', 'timestamp', 'eventId', 'context'],
  embeddings: ['entity', 'id', 'modality', 'model', 'vector'],
};

export function jsonlSource(target: string): ImportSource {
  const { schemaFile, dataFiles } = findFiles(target);
  const files = [...(schemaFile ? [schemaFile] : []), ...dataFiles.map((entry) => entry.file)];
  return {
    format: 'jsonl',
    files,
    totalBytes: totalSize(files),
    async *read(onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
      if (schemaFile) yield* readSchema(schemaFile, onBytes);
      for (const { file, kind } of dataFiles) yield* readJsonLines(file, kind, onBytes);
    },
  };
}

function findFiles(target: string): { schemaFile?: string; dataFiles: { file: string; kind: FileKind }[] } {
  if (!fs.existsSync(target)) throw new ImportFileError(`${target} does not exist`);
  if (fs.statSync(target).isFile()) {
    const kind = kindOf(path.basename(target));
    if (!kind) {
      throw new ImportFileError(`${target}: a JSONL file's name must start with users, items, events or embeddings and end in .jsonl`);
    }
    return { dataFiles: [{ file: target, kind }] };
  }
  const schema = path.join(target, 'schema.json');
  const dataFiles = KINDS.map((kind) => ({ file: path.join(target, `${kind}.jsonl`), kind })).filter(({ file }) => fs.existsSync(file));
  if (dataFiles.length === 0) {
    throw new ImportFileError(`${target} holds none of users.jsonl, items.jsonl, events.jsonl, embeddings.jsonl`);
  }
  return { ...(fs.existsSync(schema) ? { schemaFile: schema } : {}), dataFiles };
}

function kindOf(name: string): FileKind | undefined {
  return KINDS.find((kind) => name.startsWith(kind) && name.endsWith('.jsonl'));
}

/** schema.json: {"user": {"age": "numeric"}, "item": {"title": "text", "genres": "tags"}}. */
async function* readSchema(file: string, onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
  const text = fs.readFileSync(file, 'utf8');
  onBytes?.(Buffer.byteLength(text));
  const origin = { file, line: 1 };
  const schema = parseObject(text, origin);
  for (const [entityType, fields] of Object.entries(schema)) {
    if (!ENTITY_TYPES.includes(entityType as EntityType)) {
      throw new IngestError(origin, entityType, 'expected the keys "user" and "item"');
    }
    for (const [name, type] of Object.entries(requireObject(fields, origin, entityType))) {
      if (!FIELD_TYPES.includes(type as never)) {
        throw new IngestError(origin, `${entityType}.${name}`, `expected one of ${FIELD_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
      }
      yield { kind: 'field', origin, record: { entityType: entityType as EntityType, name, type: type as never } };
    }
  }
}

async function* readJsonLines(file: string, kind: FileKind, onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
  for await (const { number, text } of readLines(file, 'utf8', onBytes)) {
    if (text.trim() === '') continue;
    const origin = { file, line: number };
    const object = parseObject(text, origin);
    const unknown = Object.keys(object).find((key) => !ALLOWED_KEYS[kind].includes(key));
    if (unknown) throw new IngestError(origin, unknown, `unknown field in ${kind}.jsonl (allowed: ${ALLOWED_KEYS[kind].join(', ')})`);
    yield toItem(kind, object, origin);
  }
}

function toItem(kind: FileKind, line: JsonObject, origin: RecordOrigin): IngestItem {
  switch (kind) {
    case 'users':
    case 'items':
      return {
        kind: 'entity',
        origin,
        record: {
          entityType: kind === 'users' ? 'user' : 'item',
          externalId: line.id as string,
          metadata: requireObject(line.metadata ?? {}, origin, 'metadata') as never,
        },
      };
    case 'events':
      return {
        kind: 'event',
        origin,
        record: {
          userId: line.user as string,
          itemId: line.item as string,
          type: line.type as string,
          value: line.value === undefined ? 1 : (line.value as number),
          occurredAt: parseTimestamp(line.timestamp, origin),
          clientEventId: line.eventId as string | undefined,
          context: line.context === undefined ? undefined : requireObject(line.context, origin, 'context'),
        },
      };
    case 'embeddings':
      return {
        kind: 'embedding',
        origin,
        record: {
          entityType: line.entity as EntityType,
          externalId: line.id as string,
          modality: line.modality as string,
          modelName: line.model as string,
          vector: line.vector as number[],
        },
      };
  }
}

function parseObject(text: string, origin: RecordOrigin): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IngestError(origin, undefined, `bad JSON: ${(error as Error).message}`);
  }
  return requireObject(value, origin, undefined);
}

function requireObject(value: unknown, origin: RecordOrigin, field: string | undefined): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new IngestError(origin, field, `expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as JsonObject;
}

/** An ISO 8601 string with a time zone, or seconds since 1970. */
function parseTimestamp(value: unknown, origin: RecordOrigin): Date {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new IngestError(origin, 'timestamp', `expected an ISO 8601 time with a zone or seconds since 1970, got ${JSON.stringify(value)}`);
}
