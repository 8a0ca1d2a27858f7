/**
 * Metadata as one-hot feature names for linear baselines: "prefix.field=value" for categorical
 * and boolean fields, one per tag for tags fields, a quantile bin ("prefix.field#2") for numeric
 * and date fields (bin edges from training entities), "prefix.field#missing" when absent.
 * Text fields are left out unless asked for (then one feature per distinct word).
 */
import type { FieldDeclaration, FieldType } from '../../store/ingest/records.ts';
import { numericValue } from '../features/metadataValues.ts';
import { tokenize } from '../features/tokenizer.ts';

export interface MetadataOneHotOptions {
  /** Prepended to every feature name, e.g. "user." or "item.". */
  readonly prefix: string;
  /** Leave these fields out (e.g. "zip", "imdb_url", or "tags" for strict cold start). */
  readonly excludeFields?: readonly string[];
  /** Quantile bins per numeric or date field; default 5. */
  readonly bins?: number;
  /** Include text fields as bags of words; default false. */
  readonly text?: boolean;
}

interface Field {
  readonly name: string;
  readonly type: FieldType;
  /** Ascending bin edges of numeric and date fields. */
  readonly edges: readonly number[];
}

export class MetadataOneHot {
  readonly #prefix: string;
  readonly #fields: readonly Field[];

  private constructor(prefix: string, fields: readonly Field[]) {
    this.#prefix = prefix;
    this.#fields = fields;
  }

  /** `fields` are the declarations of one entity type; `entities` its training entities' metadata. */
  static fit(
    fields: readonly FieldDeclaration[],
    entities: readonly Readonly<Record<string, unknown>>[],
    options: MetadataOneHotOptions,
  ): MetadataOneHot {
    const bins = options.bins ?? 5;
    if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
    const excluded = new Set(options.excludeFields ?? []);
    const kept = fields
      .filter((field) => !excluded.has(field.name) && (field.type !== 'text' || options.text))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return new MetadataOneHot(
      options.prefix,
      kept.map((field) => {
        if (field.type !== 'numeric' && field.type !== 'date') return { name: field.name, type: field.type, edges: [] };
        const values = entities
          .map((metadata) => numberOf(field.type, metadata[field.name]))
          .filter(Number.isFinite)
          .sort((a, b) => a - b);
        const edges = new Set<number>();
        for (let k = 1; k < bins && values.length > 0; k++) edges.add(values[Math.floor((k * values.length) / bins)]!);
        return { name: field.name, type: field.type, edges: [...edges].sort((a, b) => a - b) };
      }),
    );
  }

  /** The active feature names of one entity. */
  features(metadata: Readonly<Record<string, unknown>>): string[] {
    const out: string[] = [];
    for (const field of this.#fields) {
      const name = `${this.#prefix}${field.name}`;
      const value = metadata[field.name];
      switch (field.type) {
        case 'categorical':
        case 'boolean':
          if (value !== undefined && value !== null && value !== '') out.push(`${name}=${String(value)}`);
          break;
        case 'tags':
          for (const tag of new Set(Array.isArray(value) ? value : typeof value === 'string' ? [value] : [])) {
            if (typeof tag === 'string' && tag.trim() !== '') out.push(`${name}=${tag.trim().toLowerCase()}`);
          }
          break;
        case 'text':
          if (typeof value === 'string') for (const word of new Set(tokenize(value, { stopwords: true }))) out.push(`${name}~${word}`);
          break;
        case 'numeric':
        case 'date': {
          const number = numberOf(field.type, value);
          if (!Number.isFinite(number)) {
            out.push(`${name}#missing`);
          } else {
            let bin = 0;
            while (bin < field.edges.length && number >= field.edges[bin]!) bin++;
            out.push(`${name}#${bin}`);
          }
          break;
        }
      }
    }
    return out;
  }
}

function numberOf(type: FieldType, value: unknown): number {
  return type === 'date' || type === 'numeric' ? numericValue(type, value) : Number.NaN;
}
