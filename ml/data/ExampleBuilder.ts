/**
 * Turns (user, item[, label]) examples into ExampleBatches (see batch.ts): ID indices from
 * vocabularies of TRAINING entities (unseen -> 0), standardized point-in-time aggregates, and
 * the encoded inputs of the distinct users and items of the batch (the companion network runs
 * once per distinct entity; userRow / itemRow point examples at their rows).
 *
 * Original-feature dropout (DropoutNet): with probability p per example and side, the side's ID
 * becomes 0 and its aggregates become what an entity without history shows, so the example
 * looks exactly like one with a cold user (or item) and the model must lean on the synthetic
 * features. Draws come from a seeded Random, two per example (user, then item), in order.
 */
import { Random } from '../../store/demo/random.ts';
import type { ExampleBatch, OriginalInputSchema } from './batch.ts';
import { AGGREGATE_NAMES, AGGREGATES, unknownAggregates, type AggregateSpec } from './aggregates.ts';
import type { EntityTable } from './EntityTable.ts';
import { Standardizer } from '../features/Standardizer.ts';
import { Vocabulary } from '../features/Vocabulary.ts';

export interface Example {
  readonly userId: string;
  readonly itemId: string;
  /** 0/1 for binary tasks, the value for regression; absent when scoring. */
  readonly label?: number | undefined;
}

export interface ExampleSet {
  readonly examples: readonly Example[];
  /** Raw aggregates, row-major [examples, aggregate columns]; NaN = undefined (computeAggregates). */
  readonly aggregates: Float32Array;
  /**
   * The examples come in groups of this many consecutive rows of one user: a positive, then its
   * sampled negatives. `batches` then shuffles whole groups and cuts batches at group borders,
   * so a ranking loss (ml/model/rankingLoss.ts) can compare each positive with its negatives.
   */
  readonly groupSize?: number;
}

export interface ExampleBuilderConfig {
  readonly users: EntityTable;
  readonly items: EntityTable;
  /** Built from the training events' ids only (buildIdVocabulary). */
  readonly userIds: Vocabulary;
  readonly itemIds: Vocabulary;
  /** Fitted on the training examples' raw aggregates (fitAggregateStandardizer). */
  readonly aggregateStandardizer: Standardizer;
  /** The side of each aggregate column; default AGGREGATES. */
  readonly aggregateSpecs?: readonly AggregateSpec[];
  /** Raw value of each column for an entity without history; default unknownAggregates(). */
  readonly unknownAggregates?: ArrayLike<number>;
}

export interface DropoutRates {
  readonly user?: number;
  readonly item?: number;
}

export interface BuildOptions {
  /** Original-feature dropout probability per example: one rate for both sides, or per side. */
  readonly dropout?: number | DropoutRates;
  /** The draws for dropout; required when a rate is above 0. */
  readonly random?: Random;
}

export interface BatchesOptions {
  readonly batchSize: number;
  /** Visit examples in a seeded random order; default true. */
  readonly shuffle?: boolean;
  /** Seeds the shuffle and the dropout draws: use a different seed per epoch. Default 0. */
  readonly seed?: number;
  readonly dropout?: number | DropoutRates;
  /** Skip a last batch smaller than batchSize; default false. */
  readonly dropLast?: boolean;
}

/** An ID vocabulary over the entities of the training events, in frequency order; unseen -> 0. */
export function buildIdVocabulary(ids: Iterable<string>): Vocabulary {
  return Vocabulary.build([ids]);
}

/** The standardizer of the training examples' raw aggregates (NaN ignored, then mapped to 0). */
export function fitAggregateStandardizer(rawAggregates: Float32Array, names: readonly string[] = AGGREGATE_NAMES): Standardizer {
  return Standardizer.fit(names, rawAggregates);
}

export class ExampleBuilder {
  readonly originalSchema: OriginalInputSchema;
  readonly #config: ExampleBuilderConfig;
  readonly #width: number;
  readonly #userColumns: number[];
  readonly #itemColumns: number[];
  /** The standardized aggregate values of an entity without history. */
  readonly #unknown: Float32Array;

  constructor(config: ExampleBuilderConfig) {
    const specs = config.aggregateSpecs ?? AGGREGATES;
    const standardizer = config.aggregateStandardizer;
    if (standardizer.columns !== specs.length) {
      throw new RangeError(`the aggregate standardizer has ${standardizer.columns} columns but there are ${specs.length} aggregates`);
    }
    const unknownRaw = config.unknownAggregates ?? unknownAggregates();
    if (unknownRaw.length !== specs.length) throw new RangeError(`unknownAggregates needs ${specs.length} values, got ${unknownRaw.length}`);
    this.#config = config;
    this.#width = specs.length;
    this.#userColumns = specs.flatMap((spec, c) => (spec.side === 'user' ? [c] : []));
    this.#itemColumns = specs.flatMap((spec, c) => (spec.side === 'item' ? [c] : []));
    this.#unknown = standardizer.transform(unknownRaw);
    this.originalSchema = {
      userIdVocabSize: config.userIds.size,
      itemIdVocabSize: config.itemIds.size,
      aggregateNames: specs.map((spec) => spec.name),
    };
  }

  /**
   * One batch of the examples at `indices` (default: all, in order). Labels are included when
   * every example has one.
   */
  build(set: ExampleSet, indices?: ArrayLike<number>, options: BuildOptions = {}): ExampleBatch {
    const { examples, aggregates } = set;
    const width = this.#width;
    if (aggregates.length !== examples.length * width) {
      throw new RangeError(`${examples.length} examples need ${examples.length * width} aggregate values, got ${aggregates.length}`);
    }
    const rates = dropoutRates(options.dropout);
    if ((rates.user > 0 || rates.item > 0) && !options.random) throw new RangeError('dropout needs a seeded `random`');
    const picked = indices ?? Int32Array.from(examples, (_, i) => i);
    const size = picked.length;
    const { users, items, userIds, itemIds, aggregateStandardizer } = this.#config;
    const userId = new Int32Array(size);
    const itemId = new Int32Array(size);
    const standardized = new Float32Array(size * width);
    const userRow = new Int32Array(size);
    const itemRow = new Int32Array(size);
    const userRows: number[] = [];
    const itemRows: number[] = [];
    const userSlot = new Map<number, number>();
    const itemSlot = new Map<number, number>();
    let labelled = size > 0;
    const label = new Float32Array(size);
    for (let b = 0; b < size; b++) {
      const e = picked[b]!;
      const example = examples[e];
      if (!example) throw new RangeError(`example index ${e} is outside the ${examples.length} examples`);
      const userTableRow = users.rowOf(example.userId);
      if (userTableRow === undefined) throw new RangeError(`user "${example.userId}" is not in the user table`);
      const itemTableRow = items.rowOf(example.itemId);
      if (itemTableRow === undefined) throw new RangeError(`item "${example.itemId}" is not in the item table`);
      userRow[b] = slotOf(userSlot, userRows, userTableRow);
      itemRow[b] = slotOf(itemSlot, itemRows, itemTableRow);
      for (let c = 0; c < width; c++) {
        standardized[b * width + c] = aggregateStandardizer.standardize(c, aggregates[e * width + c]!);
      }
      const dropUser = rates.user > 0 && options.random!.next() < rates.user;
      const dropItem = rates.item > 0 && options.random!.next() < rates.item;
      userId[b] = dropUser ? 0 : userIds.indexOf(example.userId);
      itemId[b] = dropItem ? 0 : itemIds.indexOf(example.itemId);
      if (dropUser) for (const c of this.#userColumns) standardized[b * width + c] = this.#unknown[c]!;
      if (dropItem) for (const c of this.#itemColumns) standardized[b * width + c] = this.#unknown[c]!;
      if (example.label === undefined) labelled = false;
      else label[b] = example.label;
    }
    return {
      size,
      userId,
      itemId,
      aggregates: standardized,
      users: users.gather(userRows),
      userRow,
      items: items.gather(itemRows),
      itemRow,
      ...(labelled ? { label } : {}),
    };
  }

  /**
   * Mini-batches over the whole set: seeded shuffle, seeded dropout. A grouped set
   * (`groupSize`) is shuffled by whole groups, and each batch holds whole groups: batchSize is
   * rounded down to a multiple of groupSize (at least one group).
   */
  *batches(set: ExampleSet, options: BatchesOptions): Generator<ExampleBatch> {
    const { batchSize: requested } = options;
    if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`batchSize must be a positive integer, got ${requested}`);
    const groupSize = validGroupSize(set);
    const batchSize = Math.max(groupSize, requested - (requested % groupSize));
    const seed = options.seed ?? 0;
    const root = new Random(seed);
    const groups = Array.from({ length: set.examples.length / groupSize }, (_, g) => g);
    if (options.shuffle ?? true) root.derive('shuffle').shuffle(groups);
    const order = groupSize === 1 ? groups : groups.flatMap((g) => Array.from({ length: groupSize }, (_, k) => g * groupSize + k));
    const random = root.derive('dropout');
    for (let start = 0; start < order.length; start += batchSize) {
      const indices = order.slice(start, start + batchSize);
      if (options.dropLast && indices.length < batchSize) return;
      const batch = this.build(set, indices, { ...(options.dropout === undefined ? {} : { dropout: options.dropout }), random });
      yield groupSize === 1 ? batch : { ...batch, groupSize };
    }
  }
}

/** The set's group size (1 when ungrouped), checked against its length. */
function validGroupSize(set: ExampleSet): number {
  const groupSize = set.groupSize ?? 1;
  if (!(Number.isInteger(groupSize) && groupSize >= 1)) throw new RangeError(`groupSize must be a positive integer, got ${groupSize}`);
  if (set.examples.length % groupSize !== 0) throw new RangeError(`${set.examples.length} examples are not whole groups of ${groupSize}`);
  return groupSize;
}

function slotOf(slots: Map<number, number>, rows: number[], tableRow: number): number {
  let slot = slots.get(tableRow);
  if (slot === undefined) {
    slot = rows.length;
    rows.push(tableRow);
    slots.set(tableRow, slot);
  }
  return slot;
}

function dropoutRates(dropout: number | DropoutRates | undefined): { user: number; item: number } {
  const rates = typeof dropout === 'number' ? { user: dropout, item: dropout } : { user: dropout?.user ?? 0, item: dropout?.item ?? 0 };
  for (const [side, rate] of Object.entries(rates)) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${side} dropout must be between 0 and 1, got ${rate}`);
  }
  return rates;
}
