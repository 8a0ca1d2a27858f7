/**
 * Reading typed metadata values (as declared in metadata_field) into what encoders need:
 * category strings, numbers (dates as year fractions, booleans as 1/0), normalized tags and
 * text tokens. Values of the wrong shape read as missing, never as an error: the store checked
 * them at ingestion, and a model must still encode whatever an older store holds.
 */
import type { FieldType } from '../../store/ingest/records.ts';
import { tokenize } from './tokenizer.ts';

export type NumericType = Extract<FieldType, 'numeric' | 'boolean' | 'date'>;

/** A categorical value as its category string; numbers and booleans by their text. */
export function categoryOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** The raw number of a numeric, boolean or date value; NaN when missing or unreadable. */
export function numericValue(type: NumericType, value: unknown): number {
  switch (type) {
    case 'numeric':
      if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
      if (typeof value === 'string' && value.trim() !== '') return Number(value);
      return Number.NaN;
    case 'boolean':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 'true' || value === 1) return 1;
      if (value === 'false' || value === 0) return 0;
      return Number.NaN;
    case 'date':
      return typeof value === 'string' ? yearFraction(value) : Number.NaN;
  }
}

/** "1995-07-02" -> 1995 + (days since Jan 1) / (days in 1995), in UTC; NaN when unparseable. */
export function yearFraction(date: string): number {
  const time = Date.parse(date);
  if (Number.isNaN(time)) return Number.NaN;
  const year = new Date(time).getUTCFullYear();
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  return year + (time - start) / (end - start);
}

/** The distinct "field:tag" entries of all tags fields, lowercased and trimmed, in order. */
export function tagsOf(metadata: Readonly<Record<string, unknown>>, fields: readonly string[]): string[] {
  const tags = new Set<string>();
  for (const field of fields) {
    const value = metadata[field];
    const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    for (const tag of list) {
      if (typeof tag !== 'string') continue;
      const normalized = tag.trim().toLowerCase();
      if (normalized !== '') tags.add(`${field}:${normalized}`);
    }
  }
  return [...tags];
}

/** The tokens of all text fields, concatenated in field order. */
export function tokensOf(metadata: Readonly<Record<string, unknown>>, fields: readonly string[], stopwords: boolean): string[] {
  const tokens: string[] = [];
  for (const field of fields) {
    const value = metadata[field];
    if (typeof value === 'string') tokens.push(...tokenize(value, { stopwords }));
  }
  return tokens;
}
