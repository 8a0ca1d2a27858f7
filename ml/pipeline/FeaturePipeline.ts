/**
 * Data preparation from store rows to model inputs, shared by evaluation protocols and by
 * training on everything in the store: fitted entity encoders, encoded entity tables, ID
 * vocabularies, the aggregate standardizer and ExampleBuilders, then ExampleSets with
 * point-in-time aggregates computed from exactly the history a caller allows.
 *
 * What is fitted on what (no leakage):
 * - encoders (vocabularies, numeric statistics) on the entities of the TRAINING events only;
 * - ID vocabularies: training entities first (frequency order), then `laterIds` (entities
 *   revealed later, e.g. cold items during warm-up phases) in the order given. A builder over
 *   `'train'` ids maps later entities to 0 (unknown) with the SAME indices for training ones,
 *   so one model's ID tables serve every stage;
 * - the aggregate standardizer on the training examples' raw aggregates.
 *
 * Cold aliases: every entity also exists as `coldAlias(id)`, a copy of its content with no ID
 * and no history. Turning a validation row into an alias row simulates a cold entity with
 * training data only (used to select models for cold start without touching test rows).
 */
import { AGGREGATES, computeAggregates, unknownAggregates, type AggregateSpec, type Interaction } from '../data/aggregates.ts';
import { EntityTable, type IdentifiedEntity } from '../data/EntityTable.ts';
import { ExampleBuilder, fitAggregateStandardizer, type Example, type ExampleSet } from '../data/ExampleBuilder.ts';
import { EntityEncoder, type EntityEncoderOptions, type ModalityDeclaration } from '../features/EntityEncoder.ts';
import type { Standardizer } from '../features/Standardizer.ts';
import { Vocabulary } from '../features/Vocabulary.ts';
import type { ModelSchemas } from '../model/schemas.ts';
import type { EntityType, FieldDeclaration } from '../../store/ingest/records.ts';
import { appendColumns, pairSpecs, type PairFeatures } from './PairFeatures.ts';

/** A store event as the pipeline needs it (StoredEvent fits). */
export type PipelineEvent = Interaction;

export interface FeaturePipelineInput {
  /** Declared metadata fields of both entity types. */
  readonly fields: readonly FieldDeclaration[];
  readonly modalities?: readonly ModalityDeclaration[];
  /** Every user and item that any example may refer to (training and evaluation). */
  readonly users: readonly IdentifiedEntity[];
  readonly items: readonly IdentifiedEntity[];
  /** The events the model trains on: they fit encoders, ID vocabularies and the standardizer. */
  readonly trainEvents: readonly PipelineEvent[];
  /** An event is positive when value >= this (aggregates' positive rate). */
  readonly positiveThreshold: number;
  /** The label of an event (e.g. rating >= 4 -> 1). */
  readonly label: (event: PipelineEvent) => number;
  readonly userEncoder?: EntityEncoderOptions;
  readonly itemEncoder?: EntityEncoderOptions;
  /** Entities that get ID rows after the training ones (revealed later). */
  readonly laterIds?: { readonly users?: readonly string[]; readonly items?: readonly string[] };
  /** Extra original-feature columns per (user, item) pair, after the aggregates (PairFeatures.ts). */
  readonly pairFeatures?: PairFeatures;
}

/** Rows to turn into examples: events (labelled by the pipeline's label) or unlabelled queries. */
export interface ExampleRow {
  readonly userId: string;
  readonly itemId: string;
  readonly time: number;
  /** Overrides the label function (e.g. sampled negatives: 0). */
  readonly label?: number;
  readonly value?: number;
}

const COLD_PREFIX = '\u0000cold:';

export class FeaturePipeline {
  readonly userEncoder: EntityEncoder;
  readonly itemEncoder: EntityEncoder;
  readonly users: EntityTable;
  readonly items: EntityTable;
  /** Training ids, then later ids: the model's ID tables are this size. */
  readonly userIds: Vocabulary;
  readonly itemIds: Vocabulary;
  /** Training ids only (a prefix of userIds / itemIds). */
  readonly trainUserIds: Vocabulary;
  readonly trainItemIds: Vocabulary;
  readonly aggregateStandardizer: Standardizer;
  readonly positiveThreshold: number;
  /** Aggregates, then pair features: the columns of every ExampleSet's `aggregates`. */
  readonly aggregateSpecs: readonly AggregateSpec[];
  readonly #pairFeatures: PairFeatures | undefined;
  readonly #label: (event: PipelineEvent) => number;
  readonly #builders = new Map<'train' | 'all', ExampleBuilder>();

  constructor(input: FeaturePipelineInput) {
    this.positiveThreshold = input.positiveThreshold;
    this.#label = input.label;
    const modalities = input.modalities ?? [];
    const trainUsers = new Set(input.trainEvents.map((event) => event.userId));
    const trainItems = new Set(input.trainEvents.map((event) => event.itemId));
    this.userEncoder = fitEncoder('user', input, modalities, input.users.filter((user) => trainUsers.has(user.externalId)), input.userEncoder);
    this.itemEncoder = fitEncoder('item', input, modalities, input.items.filter((item) => trainItems.has(item.externalId)), input.itemEncoder);
    this.users = EntityTable.encode(this.userEncoder, withColdAliases(input.users));
    this.items = EntityTable.encode(this.itemEncoder, withColdAliases(input.items));
    this.trainUserIds = Vocabulary.build([input.trainEvents.map((event) => event.userId)]);
    this.trainItemIds = Vocabulary.build([input.trainEvents.map((event) => event.itemId)]);
    this.userIds = extend(this.trainUserIds, input.laterIds?.users ?? []);
    this.itemIds = extend(this.trainItemIds, input.laterIds?.items ?? []);
    this.#pairFeatures = input.pairFeatures;
    this.aggregateSpecs = [...AGGREGATES, ...pairSpecs(input.pairFeatures)];
    const trainAggregates = this.#columns(input.trainEvents, input.trainEvents);
    this.aggregateStandardizer = fitAggregateStandardizer(trainAggregates, this.aggregateSpecs.map((spec) => spec.name));
  }

  /** A builder whose ID vocabularies know the training entities only, or also the later ones. */
  builder(known: 'train' | 'all' = 'all'): ExampleBuilder {
    let builder = this.#builders.get(known);
    if (!builder) {
      builder = new ExampleBuilder({
        users: this.users,
        items: this.items,
        // The 'train' vocabularies are a prefix of the 'all' ones: training ids keep their
        // indices, later ids map to 0. Models are built for 'all' (see schemas()).
        userIds: known === 'all' ? this.userIds : this.trainUserIds,
        itemIds: known === 'all' ? this.itemIds : this.trainItemIds,
        aggregateStandardizer: this.aggregateStandardizer,
        aggregateSpecs: this.aggregateSpecs,
        // Pair columns are never replaced by dropout; their "unknown" value is unused.
        unknownAggregates: [...unknownAggregates(), ...pairSpecs(this.#pairFeatures).map(() => Number.NaN)],
      });
      this.#builders.set(known, builder);
    }
    return builder;
  }

  /** The input shapes of a model over this pipeline (ID tables sized for all known ids). */
  schemas(): ModelSchemas {
    return { user: this.users.schema, item: this.items.schema, original: this.builder('all').originalSchema };
  }

  /**
   * Examples for `rows` with aggregates computed point-in-time from `history` (only events
   * strictly earlier than each row count). Labels come from row.label, else label(row).
   */
  examples(rows: readonly ExampleRow[], history: readonly PipelineEvent[]): ExampleSet {
    const examples: Example[] = rows.map((row) => ({
      userId: row.userId,
      itemId: row.itemId,
      label: row.label ?? this.#label({ userId: row.userId, itemId: row.itemId, time: row.time, value: row.value ?? Number.NaN }),
    }));
    return { examples, aggregates: this.#columns(rows, history) };
  }

  /** Point-in-time aggregates of `rows`, then their pair features. */
  #columns(rows: readonly ExampleRow[], history: readonly PipelineEvent[]): Float32Array {
    const aggregates = computeAggregates(history, rows, { positiveThreshold: this.positiveThreshold });
    const pair = this.#pairFeatures;
    if (!pair || pair.names.length === 0) return aggregates;
    return appendColumns(aggregates, AGGREGATES.length, pair.compute(rows), pair.names.length);
  }

  /** Concatenates example sets (same aggregate width). */
  static concat(...sets: readonly ExampleSet[]): ExampleSet {
    const total = sets.reduce((sum, set) => sum + set.aggregates.length, 0);
    const aggregates = new Float32Array(total);
    let offset = 0;
    for (const set of sets) {
      aggregates.set(set.aggregates, offset);
      offset += set.aggregates.length;
    }
    return { examples: sets.flatMap((set) => set.examples), aggregates };
  }
}

/** The id under which an entity appears cold: same content, no ID, no history. */
export function coldAlias(id: string): string {
  return `${COLD_PREFIX}${id}`;
}

/** The entity id behind an id or its cold alias (the one whose content it has). */
export function contentId(id: string): string {
  return id.startsWith(COLD_PREFIX) ? id.slice(COLD_PREFIX.length) : id;
}

/** The row with one side replaced by its cold alias. */
export function asCold<R extends ExampleRow>(row: R, side: EntityType): R {
  return side === 'user' ? { ...row, userId: coldAlias(row.userId) } : { ...row, itemId: coldAlias(row.itemId) };
}

function withColdAliases(entities: readonly IdentifiedEntity[]): IdentifiedEntity[] {
  return [...entities, ...entities.map((entity) => ({ ...entity, externalId: coldAlias(entity.externalId) }))];
}

function fitEncoder(
  entityType: EntityType,
  input: FeaturePipelineInput,
  modalities: readonly ModalityDeclaration[],
  entities: readonly IdentifiedEntity[],
  options: EntityEncoderOptions | undefined,
): EntityEncoder {
  return EntityEncoder.fit({ entityType, fields: input.fields, modalities, entities }, options ?? {});
}

function extend(base: Vocabulary, later: readonly string[]): Vocabulary {
  const entries = base.toJSON().entries;
  const known = new Set(entries);
  const added = [...new Set(later)].filter((id) => !known.has(id));
  return new Vocabulary([...entries, ...added]);
}
