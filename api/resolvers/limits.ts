import { BadInputError } from '../errors.ts';

/** Most ids one lookup, read or prediction takes. */
export const MAX_IDS = 1_000;
/** Most records one ingest mutation takes. */
export const MAX_INGEST = 10_000;
/** Most rows a list field returns. */
export const MAX_PAGE = 100;

export function checkCount(argument: string, count: number, max: number): void {
  if (count > max) throw new BadInputError(`${argument}: at most ${max} per request, got ${count}`, { argument });
}

export function pageSize(argument: string, first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new BadInputError(`${argument}: expected an integer from 1 to ${MAX_PAGE}, got ${first}`, { argument });
  return first;
}

export function numericId(argument: string, id: string): number {
  const value = Number(id);
  if (!Number.isInteger(value) || value < 1) throw new BadInputError(`${argument}: expected a positive integer id, got ${JSON.stringify(id)}`, { argument });
  return value;
}
