import fs from 'node:fs';
import path from 'node:path';
import { ImportFileError } from './ImportFileError.ts';

/** Resolves the files a format needs in `dir`, naming the first one missing. */
export function requireFiles(dir: string, names: readonly string[], format: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ImportFileError(`${dir} is not a directory: the ${format} importer reads ${names.join(', ')} from one`);
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new ImportFileError(`${file} is missing: the ${format} importer needs ${names.join(', ')}`);
    return file;
  });
}

export function totalSize(files: readonly string[]): number {
  return files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
}
