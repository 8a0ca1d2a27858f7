/** A data set that cannot be read at all: a missing file or folder, an unknown format. */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
}
