/**
 * The CiteULike-a layout: citeutitles.txt (line i+1 = title of item i), item-tag.dat and
 * tags.dat (line i = "n tag_1 ... tag_n" with 0-based ids into tags.dat), users.dat (line u =
 * "n item_1 ... item_n", user u's library). Ids are the data set's 0-based numbers as strings.
 * Library entries become events of type "save" with value 1. The data set records no times,
 * so every event carries the Unix epoch as its time.
 */
import { IngestError } from '../ingest/IngestError.ts';
import type { FieldDeclaration, IngestItem } from '../ingest/records.ts';
import { requireFiles, totalSize } from './files.ts';
import type { ImportSource } from './ImportSource.ts';
import { readLines, type ByteProgress } from './readLines.ts';

const FIELDS: readonly FieldDeclaration[] = [
  { entityType: 'item', name: 'title', type: 'text', description: 'article title' },
  {
    entityType: 'item',
    name: 'tags',
    type: 'tags',
    description: 'tags given by the users who saved the article: interaction data, not cold-start content',
  },
];

const NO_TIME = new Date(0);

export function citeULikeSource(dir: string): ImportSource {
  const [tagFile, titleFile, itemTagFile, userFile] = requireFiles(
    dir,
    ['tags.dat', 'citeutitles.txt', 'item-tag.dat', 'users.dat'],
    'citeulike',
  ) as [string, string, string, string];
  const files = [tagFile, titleFile, itemTagFile, userFile];
  return {
    format: 'citeulike',
    files,
    totalBytes: totalSize(files),
    async *read(onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
      for (const record of FIELDS) yield { kind: 'field', origin: { file: titleFile, line: 0 }, record };
      const tags = await readTagNames(tagFile, onBytes);
      yield* readItems(titleFile, itemTagFile, tags, onBytes);
      yield* readLibraries(userFile, onBytes);
    },
  };
}

async function readTagNames(file: string, onBytes?: ByteProgress): Promise<string[]> {
  const tags: string[] = [];
  for await (const { text } of readLines(file, 'utf8', onBytes)) tags.push(text);
  return tags;
}

/** Reads titles and tag lists side by side: line i of both files is item i. */
async function* readItems(
  titleFile: string,
  itemTagFile: string,
  tags: readonly string[],
  onBytes?: ByteProgress,
): AsyncGenerator<IngestItem> {
  const tagLines = readLines(itemTagFile, 'utf8', onBytes)[Symbol.asyncIterator]();
  let items = 0;
  try {
    for await (const item of readItemsAlong(titleFile, itemTagFile, tagLines, tags, onBytes)) {
      items++;
      yield item;
    }
    if (!(await tagLines.next()).done) {
      throw new IngestError({ file: itemTagFile, line: items + 1 }, undefined, `has more lines than ${titleFile} has titles (${items})`);
    }
  } finally {
    await tagLines.return?.(undefined);
  }
}

async function* readItemsAlong(
  titleFile: string,
  itemTagFile: string,
  tagLines: AsyncIterator<{ number: number; text: string }>,
  tags: readonly string[],
  onBytes?: ByteProgress,
): AsyncGenerator<IngestItem> {
  for await (const { number, text: title } of readLines(titleFile, 'utf8', onBytes)) {
    const tagLine = await tagLines.next();
    if (tagLine.done) {
      throw new IngestError({ file: itemTagFile, line: number }, undefined, `ends before ${titleFile} (which has a title for item ${number - 1})`);
    }
    const origin = { file: itemTagFile, line: number };
    const tagIds = parseCountedList(tagLine.value.text, origin, 'tag');
    const itemTags = tagIds.map((id) => {
      const tag = tags[id];
      if (tag === undefined) throw new IngestError(origin, 'tag', `tag id ${id} is not in tags.dat (${tags.length} tags)`);
      return tag;
    });
    const metadata = { title, tags: itemTags };
    yield { kind: 'entity', origin: { file: titleFile, line: number }, record: { entityType: 'item', externalId: String(number - 1), metadata } };
  }
}

async function* readLibraries(file: string, onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
  for await (const { number, text } of readLines(file, 'utf8', onBytes)) {
    const origin = { file, line: number };
    const userId = String(number - 1);
    yield { kind: 'entity', origin, record: { entityType: 'user', externalId: userId, metadata: {} } };
    for (const item of parseCountedList(text, origin, 'item')) {
      yield { kind: 'event', origin, record: { userId, itemId: String(item), type: 'save', value: 1, occurredAt: NO_TIME } };
    }
  }
}

/** Parses "n id_1 ... id_n", checking that n matches. */
function parseCountedList(text: string, origin: { file: string; line: number }, field: string): number[] {
  const numbers = text.trim().split(/\s+/).map(Number);
  const [count, ...ids] = numbers;
  if (count === undefined || !Number.isInteger(count) || ids.some((id) => !Number.isInteger(id) || id < 0)) {
    throw new IngestError(origin, field, 'expected "n id_1 ... id_n" with non-negative integer ids');
  }
  if (count !== ids.length) throw new IngestError(origin, field, `the line says ${count} ids but lists ${ids.length}`);
  return ids;
}
