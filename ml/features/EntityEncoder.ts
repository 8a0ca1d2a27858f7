/**
 * Encodes the non-event data of users or items (typed metadata + modality vectors) into the
 * EntityInputs the companion network reads. Fitted once from the declared metadata fields, the
 * training entities and the modalities that exist; serialized with the model so that a reloaded
 * model encodes exactly as it did in training.
 *
 * Per field type (see metadata_field):
 * - numeric: standardized, with a presence mask;
 * - date: the year as a fraction (1995-07-02 -> ~1995.5), then as numeric;
 * - boolean: 1 / 0, then as numeric;
 * - categorical: an index into the field's own vocabulary (0 = unknown or missing);
 * - tags: all tags fields merged into one vocabulary of "field:tag" entries, lowercased, each
 *   entity's known tags in order, deduplicated, 0-padded to maxTags;
 * - text: the tokens of all text fields concatenated in field order; tokens outside the
 *   vocabulary are dropped (0 is padding and masked), then truncated to maxTokens.
 * Modality vectors are copied as they are, with presence 1, or zeros with presence 0.
 */
import type { EntityInputSchema, EntityInputs } from '../data/batch.ts';
import type { EntityType, FieldDeclaration, FieldType } from '../../store/ingest/records.ts';
import { categoryOf, numericValue, tagsOf, tokensOf, type NumericType } from './metadataValues.ts';
import { Standardizer, type StandardizerJSON } from './Standardizer.ts';
import { Vocabulary, VocabularyCounter, type VocabularyJSON, type VocabularyOptions } from './Vocabulary.ts';

/** One entity's non-event data. */
export interface EntityContent {
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Modality vectors by modality name; a modality absent here is missing for this entity. */
  readonly vectors?: Readonly<Record<string, ArrayLike<number>>> | undefined;
}

export interface ModalityDeclaration {
  readonly name: string;
  readonly dimension: number;
  /** When given, modalities of the other entity type are ignored. */
  readonly entityType?: EntityType;
}

export interface EntityEncoderOptions {
  /** Use only these fields; default: every declared field of the entity type. */
  readonly fields?: readonly string[];
  /** Leave these fields out, e.g. item "tags" for strict cold start, "imdb_url" for MovieLens. */
  readonly excludeFields?: readonly string[];
  /** Use only these modalities; default: all of the entity type. */
  readonly modalities?: readonly string[];
  readonly excludeModalities?: readonly string[];
  /** Upper bound of the token list; the schema uses the longest training text if shorter. Default 32. */
  readonly maxTokens?: number;
  /** Upper bound of the tag list; the schema uses the largest training tag count if smaller. Default 32. */
  readonly maxTags?: number;
  /** Default { minCount: 1 }. */
  readonly categoricalVocabulary?: VocabularyOptions;
  /** Default { minCount: 1 }. */
  readonly tagVocabulary?: VocabularyOptions;
  /** Default { minCount: 2, maxSize: 30000 }: a word seen once in training cannot generalize. */
  readonly tokenVocabulary?: VocabularyOptions;
  /** Drop English stopwords from text; default false. */
  readonly stopwords?: boolean;
}

export interface EntityEncoderFitInput {
  readonly entityType: EntityType;
  /** Declared metadata fields (of both entity types is fine: the others are ignored). */
  readonly fields: readonly FieldDeclaration[];
  readonly modalities: readonly ModalityDeclaration[];
  /** The training entities only: vocabularies and statistics never see evaluation entities. */
  readonly entities: readonly EntityContent[];
}

export interface EntityEncoderJSON {
  readonly format: typeof FORMAT;
  readonly entityType: EntityType;
  readonly categorical: readonly { readonly name: string; readonly vocabulary: VocabularyJSON }[];
  readonly numeric: readonly { readonly name: string; readonly type: NumericType }[];
  readonly standardizer: StandardizerJSON;
  readonly tagFields: readonly string[];
  readonly tagVocabulary: VocabularyJSON;
  readonly maxTags: number;
  readonly textFields: readonly string[];
  readonly tokenVocabulary: VocabularyJSON;
  readonly maxTokens: number;
  readonly stopwords: boolean;
  readonly modalities: readonly { readonly name: string; readonly dimension: number }[];
}

const FORMAT = 'synthstore.entity-encoder/1';

interface EncoderParts {
  readonly entityType: EntityType;
  readonly categorical: readonly { readonly name: string; readonly vocabulary: Vocabulary }[];
  readonly numeric: readonly { readonly name: string; readonly type: NumericType }[];
  readonly standardizer: Standardizer;
  readonly tagFields: readonly string[];
  readonly tagVocabulary: Vocabulary;
  readonly maxTags: number;
  readonly textFields: readonly string[];
  readonly tokenVocabulary: Vocabulary;
  readonly maxTokens: number;
  readonly stopwords: boolean;
  readonly modalities: readonly { readonly name: string; readonly dimension: number }[];
}

export class EntityEncoder {
  readonly schema: EntityInputSchema;
  readonly #parts: EncoderParts;

  private constructor(parts: EncoderParts) {
    this.#parts = parts;
    this.schema = {
      categoricalNames: parts.categorical.map((field) => field.name),
      categoricalVocabSizes: parts.categorical.map((field) => field.vocabulary.size),
      numericNames: parts.numeric.map((field) => field.name),
      maxTags: parts.maxTags,
      tagVocabSize: parts.tagVocabulary.size,
      maxTokens: parts.maxTokens,
      tokenVocabSize: parts.tokenVocabulary.size,
      modalities: parts.modalities.map(({ name, dimension }) => ({ name, dimension })),
    };
  }

  get entityType(): EntityType {
    return this.#parts.entityType;
  }

  static fit(input: EntityEncoderFitInput, options: EntityEncoderOptions = {}): EntityEncoder {
    const declared = input.fields.filter((field) => field.entityType === input.entityType);
    const fields = select(declared, options.fields, options.excludeFields, `${input.entityType} field`);
    const modalities = select(
      input.modalities.filter((modality) => (modality.entityType ?? input.entityType) === input.entityType),
      options.modalities,
      options.excludeModalities,
      `${input.entityType} modality`,
    );
    for (const modality of modalities) {
      if (!Number.isInteger(modality.dimension) || modality.dimension < 1) {
        throw new RangeError(`modality "${modality.name}": dimension must be a positive integer, got ${modality.dimension}`);
      }
    }
    const stopwords = options.stopwords ?? false;
    const ofType = (...types: FieldType[]): string[] => fields.filter((field) => types.includes(field.type)).map((field) => field.name);
    const categoricalFields = ofType('categorical');
    const numeric = fields
      .filter((field): field is FieldDeclaration & { type: NumericType } => ['numeric', 'boolean', 'date'].includes(field.type))
      .map((field) => ({ name: field.name, type: field.type }));
    const tagFields = ofType('tags');
    const textFields = ofType('text');

    const categoryCounters = categoricalFields.map(() => new VocabularyCounter());
    const tagCounter = new VocabularyCounter();
    const tokenCounter = new VocabularyCounter();
    const numericRows = new Float64Array(input.entities.length * numeric.length);
    let longestTags = 0;
    let longestText = 0;
    for (const [row, entity] of input.entities.entries()) {
      const metadata = entity.metadata ?? {};
      for (const [c, name] of categoricalFields.entries()) {
        const value = categoryOf(metadata[name]);
        if (value !== undefined) categoryCounters[c]!.add(value);
      }
      for (const [c, field] of numeric.entries()) numericRows[row * numeric.length + c] = numericValue(field.type, metadata[field.name]);
      const tags = tagsOf(metadata, tagFields);
      tagCounter.addAll(tags);
      longestTags = Math.max(longestTags, tags.length);
      const tokens = tokensOf(metadata, textFields, stopwords);
      tokenCounter.addAll(tokens);
      longestText = Math.max(longestText, tokens.length);
    }
    const cap = (name: string, value: number | undefined, fallback: number): number => {
      const resolved = value ?? fallback;
      if (!Number.isInteger(resolved) || resolved < 1) throw new RangeError(`${name} must be a positive integer, got ${resolved}`);
      return resolved;
    };
    return new EntityEncoder({
      entityType: input.entityType,
      categorical: categoricalFields.map((name, c) => ({
        name,
        vocabulary: categoryCounters[c]!.build(options.categoricalVocabulary ?? { minCount: 1 }),
      })),
      numeric,
      standardizer: Standardizer.fit(numeric.map((field) => field.name), numericRows),
      tagFields,
      tagVocabulary: tagCounter.build(options.tagVocabulary ?? { minCount: 1 }),
      maxTags: tagFields.length === 0 ? 0 : Math.max(1, Math.min(cap('maxTags', options.maxTags, 32), longestTags)),
      textFields,
      tokenVocabulary: tokenCounter.build(options.tokenVocabulary ?? { minCount: 2, maxSize: 30_000 }),
      maxTokens: textFields.length === 0 ? 0 : Math.max(1, Math.min(cap('maxTokens', options.maxTokens, 32), longestText)),
      stopwords,
      modalities: modalities.map(({ name, dimension }) => ({ name, dimension })),
    });
  }

  /** Encodes entities in order: row r of the result is entities[r]. */
  encode(entities: readonly EntityContent[]): EntityInputs {
    const parts = this.#parts;
    const n = entities.length;
    const { maxTags, maxTokens } = parts;
    const categorical = new Int32Array(n * parts.categorical.length);
    const rawNumeric = new Float64Array(n * parts.numeric.length);
    const tags = new Int32Array(n * maxTags);
    const tokens = new Int32Array(n * maxTokens);
    const modalities = parts.modalities.map((modality) => ({
      values: new Float32Array(n * modality.dimension),
      present: new Float32Array(n),
    }));
    for (const [row, entity] of entities.entries()) {
      const metadata = entity.metadata ?? {};
      for (const [c, field] of parts.categorical.entries()) {
        const value = categoryOf(metadata[field.name]);
        categorical[row * parts.categorical.length + c] = value === undefined ? 0 : field.vocabulary.indexOf(value);
      }
      for (const [c, field] of parts.numeric.entries()) {
        rawNumeric[row * parts.numeric.length + c] = numericValue(field.type, metadata[field.name]);
      }
      fillKnown(tags, row * maxTags, maxTags, tagsOf(metadata, parts.tagFields), parts.tagVocabulary);
      fillKnown(tokens, row * maxTokens, maxTokens, tokensOf(metadata, parts.textFields, parts.stopwords), parts.tokenVocabulary);
      for (const [m, modality] of parts.modalities.entries()) {
        const vector = entity.vectors?.[modality.name];
        if (vector === undefined || vector === null) continue;
        if (vector.length !== modality.dimension) {
          throw new RangeError(`modality "${modality.name}" has dimension ${modality.dimension}, but an entity's vector has ${vector.length} values`);
        }
        const target = modalities[m]!;
        for (let d = 0; d < vector.length; d++) {
          const value = Number(vector[d]);
          if (!Number.isFinite(value)) throw new RangeError(`modality "${modality.name}": vector value ${d} is not a finite number`);
          target.values[row * modality.dimension + d] = value;
        }
        target.present[row] = 1;
      }
    }
    const numeric = parts.standardizer.transform(rawNumeric);
    const numericPresent = new Float32Array(rawNumeric.length);
    for (let i = 0; i < rawNumeric.length; i++) numericPresent[i] = Number.isFinite(rawNumeric[i]!) ? 1 : 0;
    return { count: n, categorical, numeric, numericPresent, tags, tokens, modalities };
  }

  /** The vocabulary of a categorical field, the merged tag vocabulary, or the token vocabulary. */
  vocabulary(of: { categorical: string } | 'tags' | 'tokens'): Vocabulary {
    if (of === 'tags') return this.#parts.tagVocabulary;
    if (of === 'tokens') return this.#parts.tokenVocabulary;
    const field = this.#parts.categorical.find((entry) => entry.name === of.categorical);
    if (!field) throw new RangeError(`"${of.categorical}" is not a categorical field of this encoder (${this.schema.categoricalNames.join(', ') || 'none'})`);
    return field.vocabulary;
  }

  toJSON(): EntityEncoderJSON {
    const parts = this.#parts;
    return {
      format: FORMAT,
      entityType: parts.entityType,
      categorical: parts.categorical.map((field) => ({ name: field.name, vocabulary: field.vocabulary.toJSON() })),
      numeric: parts.numeric.map((field) => ({ ...field })),
      standardizer: parts.standardizer.toJSON(),
      tagFields: [...parts.tagFields],
      tagVocabulary: parts.tagVocabulary.toJSON(),
      maxTags: parts.maxTags,
      textFields: [...parts.textFields],
      tokenVocabulary: parts.tokenVocabulary.toJSON(),
      maxTokens: parts.maxTokens,
      stopwords: parts.stopwords,
      modalities: parts.modalities.map((modality) => ({ ...modality })),
    };
  }

  static fromJSON(json: EntityEncoderJSON): EntityEncoder {
    if (!json || json.format !== FORMAT) {
      throw new TypeError(`not a serialized entity encoder: expected format "${FORMAT}", got ${JSON.stringify(json?.format)}`);
    }
    return new EntityEncoder({
      entityType: json.entityType,
      categorical: json.categorical.map((field) => ({ name: field.name, vocabulary: Vocabulary.fromJSON(field.vocabulary) })),
      numeric: json.numeric.map((field) => ({ ...field })),
      standardizer: Standardizer.fromJSON(json.standardizer),
      tagFields: [...json.tagFields],
      tagVocabulary: Vocabulary.fromJSON(json.tagVocabulary),
      maxTags: json.maxTags,
      textFields: [...json.textFields],
      tokenVocabulary: Vocabulary.fromJSON(json.tokenVocabulary),
      maxTokens: json.maxTokens,
      stopwords: json.stopwords,
      modalities: json.modalities.map((modality) => ({ ...modality })),
    });
  }
}

/** Entries sorted by name, narrowed to `only` and without `exclude`; unknown names are errors. */
function select<T extends { readonly name: string }>(
  available: readonly T[],
  only: readonly string[] | undefined,
  exclude: readonly string[] | undefined,
  what: string,
): T[] {
  const names = new Set(available.map((entry) => entry.name));
  for (const name of [...(only ?? []), ...(exclude ?? [])]) {
    if (!names.has(name)) {
      throw new RangeError(`unknown ${what} "${name}": expected one of ${[...names].sort().join(', ') || '(none)'}`);
    }
  }
  return available
    .filter((entry) => (only ? only.includes(entry.name) : true) && !(exclude ?? []).includes(entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Writes the known entries' indices at `offset`, up to `width` of them; the rest stays 0. */
function fillKnown(target: Int32Array, offset: number, width: number, entries: readonly string[], vocabulary: Vocabulary): void {
  let written = 0;
  for (const entry of entries) {
    if (written === width) break;
    const index = vocabulary.indexOf(entry);
    if (index !== 0) target[offset + written++] = index;
  }
}
