/**
 * The encoded inputs of every user (or item) a data set refers to, encoded once and looked up
 * by external id, so that building a batch copies rows instead of re-tokenizing metadata every
 * epoch.
 */
import type { EntityInputSchema, EntityInputs } from './batch.ts';
import type { EntityContent, EntityEncoder } from '../features/EntityEncoder.ts';

export interface IdentifiedEntity extends EntityContent {
  readonly externalId: string;
}

export class EntityTable {
  readonly schema: EntityInputSchema;
  readonly inputs: EntityInputs;
  readonly #rows: Map<string, number>;

  constructor(schema: EntityInputSchema, ids: readonly string[], inputs: EntityInputs) {
    if (inputs.count !== ids.length) throw new RangeError(`an entity table needs one id per encoded row: ${ids.length} ids, ${inputs.count} rows`);
    this.schema = schema;
    this.inputs = inputs;
    this.#rows = new Map(ids.map((id, row) => [id, row]));
    if (this.#rows.size !== ids.length) throw new RangeError('entity ids in a table must be distinct');
  }

  /** Encodes `entities` (any entities, also cold ones: the encoder was fitted on training data). */
  static encode(encoder: EntityEncoder, entities: readonly IdentifiedEntity[]): EntityTable {
    return new EntityTable(encoder.schema, entities.map((entity) => entity.externalId), encoder.encode(entities));
  }

  get size(): number {
    return this.inputs.count;
  }

  rowOf(externalId: string): number | undefined {
    return this.#rows.get(externalId);
  }

  /** The inputs of `rows` (in that order) as a new EntityInputs. */
  gather(rows: ArrayLike<number>): EntityInputs {
    return gatherEntityInputs(this.schema, this.inputs, rows);
  }
}

/** Copies rows of `source` into a new EntityInputs (row r of the result is source row rows[r]). */
export function gatherEntityInputs(schema: EntityInputSchema, source: EntityInputs, rows: ArrayLike<number>): EntityInputs {
  const n = rows.length;
  const categoricalWidth = schema.categoricalNames.length;
  const numericWidth = schema.numericNames.length;
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    if (!(Number.isInteger(row) && row >= 0 && row < source.count)) throw new RangeError(`row ${row} is outside the ${source.count} encoded entities`);
  }
  const copy = <A extends Int32Array | Float32Array>(from: A, width: number, make: (length: number) => A): A => {
    const to = make(n * width);
    if (width === 0) return to;
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      to.set(from.subarray(row * width, (row + 1) * width), r * width);
    }
    return to;
  };
  const ints = (length: number): Int32Array => new Int32Array(length);
  const floats = (length: number): Float32Array => new Float32Array(length);
  return {
    count: n,
    categorical: copy(source.categorical, categoricalWidth, ints),
    numeric: copy(source.numeric, numericWidth, floats),
    numericPresent: copy(source.numericPresent, numericWidth, floats),
    tags: copy(source.tags, schema.maxTags, ints),
    tokens: copy(source.tokens, schema.maxTokens, ints),
    modalities: schema.modalities.map((modality, m) => ({
      values: copy(source.modalities[m]!.values, modality.dimension, floats),
      present: copy(source.modalities[m]!.present, 1, floats),
    })),
  };
}
