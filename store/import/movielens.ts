/**
 * The MovieLens 100K layout: u.user (id|age|gender|occupation|zip), u.item (id|title|release
 * date|video release date|IMDb URL|19 genre flags, ISO-8859-1), u.genre (name|index) and
 * u.data (user\titem\trating\tunix seconds). Ratings become events of type "rating".
 */
import path from 'node:path';
import { IngestError } from '../ingest/IngestError.ts';
import type { FieldDeclaration, IngestItem, Metadata } from '../ingest/records.ts';
import { requireFiles, totalSize } from './files.ts';
import type { ImportSource } from './ImportSource.ts';
import { readLines, type ByteProgress } from './readLines.ts';

const FIELDS: readonly FieldDeclaration[] = [
  { entityType: 'user', name: 'age', type: 'numeric', description: 'age in years' },
  { entityType: 'user', name: 'gender', type: 'categorical', description: 'M or F' },
  { entityType: 'user', name: 'occupation', type: 'categorical' },
  { entityType: 'user', name: 'zip', type: 'categorical', description: 'postal code' },
  { entityType: 'item', name: 'title', type: 'text', description: 'title with year' },
  { entityType: 'item', name: 'release_date', type: 'date' },
  { entityType: 'item', name: 'imdb_url', type: 'text' },
  { entityType: 'item', name: 'genres', type: 'tags' },
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function movieLensSource(dir: string): ImportSource {
  const [genreFile, userFile, itemFile, ratingFile] = requireFiles(dir, ['u.genre', 'u.user', 'u.item', 'u.data'], 'movielens') as [string, string, string, string];
  const files = [genreFile, userFile, itemFile, ratingFile];
  return {
    format: 'movielens',
    files,
    totalBytes: totalSize(files),
    async *read(onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
      const declared = { file: path.join(dir, 'u.genre'), line: 0 };
      for (const record of FIELDS) yield { kind: 'field', origin: declared, record };
      const genres = await readGenres(genreFile, onBytes);
      yield* readUsers(userFile, onBytes);
      yield* readItems(itemFile, genres, onBytes);
      yield* readRatings(ratingFile, onBytes);
    },
  };
}

async function readGenres(file: string, onBytes?: ByteProgress): Promise<string[]> {
  const genres: string[] = [];
  for await (const { number, text } of readLines(file, 'latin1', onBytes)) {
    if (text.trim() === '') continue;
    const [name, index] = text.split('|');
    if (!name || index === undefined || !/^\d+$/.test(index)) {
      throw new IngestError({ file, line: number }, 'genre', 'expected "name|index"');
    }
    genres[Number(index)] = name;
  }
  return genres;
}

async function* readUsers(file: string, onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
  for await (const { number, text } of readLines(file, 'latin1', onBytes)) {
    if (text.trim() === '') continue;
    const origin = { file, line: number };
    const fields = splitExactly(text, '|', 5, origin, 'id|age|gender|occupation|zip');
    const [id, age, gender, occupation, zip] = fields as [string, string, string, string, string];
    const metadata: Metadata = { gender, occupation, zip, age: parseNumber(age, origin, 'age') };
    yield { kind: 'entity', origin, record: { entityType: 'user', externalId: id, metadata } };
  }
}

async function* readItems(file: string, genres: readonly string[], onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
  for await (const { number, text } of readLines(file, 'latin1', onBytes)) {
    if (text.trim() === '') continue;
    const origin = { file, line: number };
    const fields = splitExactly(text, '|', 5 + genres.length, origin, `id|title|release date|video release date|IMDb URL|${genres.length} genre flags`);
    const [id, title, releaseDate, , imdbUrl] = fields as [string, string, string, string, string];
    const flags = fields.slice(5);
    const metadata: Metadata = {
      genres: genres.filter((_, index) => flags[index] === '1'),
    };
    if (title && title !== 'unknown') metadata.title = title;
    if (releaseDate) metadata.release_date = parseReleaseDate(releaseDate, origin);
    if (imdbUrl) metadata.imdb_url = imdbUrl;
    yield { kind: 'entity', origin, record: { entityType: 'item', externalId: id, metadata } };
  }
}

async function* readRatings(file: string, onBytes?: ByteProgress): AsyncGenerator<IngestItem> {
  for await (const { number, text } of readLines(file, 'latin1', onBytes)) {
    if (text.trim() === '') continue;
    const origin = { file, line: number };
    const [user, item, rating, seconds] = splitExactly(text, '\t', 4, origin, 'user\\titem\\trating\\ttimestamp') as [string, string, string, string];
    yield {
      kind: 'event',
      origin,
      record: {
        userId: user,
        itemId: item,
        type: 'rating',
        value: parseNumber(rating, origin, 'rating'),
        occurredAt: new Date(parseNumber(seconds, origin, 'timestamp') * 1000),
      },
    };
  }
}

function splitExactly(text: string, separator: string, count: number, origin: { file: string; line: number }, layout: string): string[] {
  const fields = text.split(separator);
  if (fields.length !== count) {
    throw new IngestError(origin, undefined, `expected ${count} fields (${layout}), found ${fields.length}`);
  }
  return fields;
}

function parseNumber(text: string, origin: { file: string; line: number }, field: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new IngestError(origin, field, `expected a number, got "${text}"`);
  return value;
}

/** "01-Jan-1995" -> "1995-01-01"; a few rows write the day with one digit ("4-Feb-1971"). */
function parseReleaseDate(text: string, origin: { file: string; line: number }): string {
  const match = /^(\d{1,2})-([A-Z][a-z]{2})-(\d{4})$/.exec(text);
  const month = match ? MONTHS.indexOf(match[2]!) + 1 : 0;
  if (!match || month === 0) throw new IngestError(origin, 'release_date', `expected a date like 01-Jan-1995, got "${text}"`);
  return `${match[3]}-${String(month).padStart(2, '0')}-${match[1]!.padStart(2, '0')}`;
}
