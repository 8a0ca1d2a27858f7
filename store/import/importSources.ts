import { citeULikeSource } from './citeulike.ts';
import { ImportFileError } from './ImportFileError.ts';
import type { ImportSource } from './ImportSource.ts';
import { jsonlSource } from './jsonl.ts';
import { movieLensSource } from './movielens.ts';

/** The importers by format name: the one place a format is chosen. */
const FORMATS: Record<string, (path: string) => ImportSource> = {
  movielens: movieLensSource,
  citeulike: citeULikeSource,
  jsonl: jsonlSource,
};

export const IMPORT_FORMATS = Object.keys(FORMATS);

export function openImportSource(format: string, path: string): ImportSource {
  const open = FORMATS[format];
  if (!open) throw new ImportFileError(`unknown import format "${format}": expected one of ${IMPORT_FORMATS.join(', ')}`);
  return open(path);
}
