/**
 * The (e) reference of the AUC protocols: logistic regression on one-hot metadata + user id
 * (ml/baselines), fitted on the training rows' entities, updated in place on each warm phase.
 */
import { buildFeatureIndex, encodeFeatures, LogisticRegression } from '../baselines/logisticRegression.ts';
import { MetadataOneHot } from '../baselines/metadataOneHot.ts';
import type { FieldDeclaration } from '../../store/ingest/records.ts';
import type { Vocabulary } from '../features/Vocabulary.ts';
import type { IdentifiedEntity } from '../data/EntityTable.ts';

export interface LabelledRow {
  readonly userId: string;
  readonly itemId: string;
}

export class LogisticBaseline {
  readonly #userFeatures: Map<string, string[]>;
  readonly #itemFeatures: Map<string, string[]>;
  readonly #index: Vocabulary;
  readonly #model: LogisticRegression;
  readonly #epochs: number;
  readonly #seed: number;

  constructor(
    input: {
      readonly fields: readonly FieldDeclaration[];
      readonly users: readonly IdentifiedEntity[];
      readonly items: readonly IdentifiedEntity[];
      readonly train: readonly LabelledRow[];
      readonly excludeUserFields: readonly string[];
      readonly excludeItemFields: readonly string[];
    },
    options: { readonly epochs: number; readonly seed: number },
  ) {
    const trainUsers = new Set(input.train.map((row) => row.userId));
    const trainItems = new Set(input.train.map((row) => row.itemId));
    const userOneHot = MetadataOneHot.fit(
      input.fields.filter((field) => field.entityType === 'user'),
      input.users.filter((user) => trainUsers.has(user.externalId)).map((user) => user.metadata),
      { prefix: 'user.', excludeFields: input.excludeUserFields },
    );
    const itemOneHot = MetadataOneHot.fit(
      input.fields.filter((field) => field.entityType === 'item'),
      input.items.filter((item) => trainItems.has(item.externalId)).map((item) => item.metadata),
      { prefix: 'item.', excludeFields: input.excludeItemFields },
    );
    this.#userFeatures = new Map(input.users.map((user) => [user.externalId, [`user=${user.externalId}`, ...userOneHot.features(user.metadata)]]));
    this.#itemFeatures = new Map(input.items.map((item) => [item.externalId, itemOneHot.features(item.metadata)]));
    this.#index = buildFeatureIndex(input.train.map((row) => this.#features(row)));
    this.#model = new LogisticRegression(this.#index.size);
    this.#epochs = options.epochs;
    this.#seed = options.seed;
  }

  /** Trains (or keeps training) on rows with 0/1 labels. */
  fit(rows: readonly LabelledRow[], labels: ArrayLike<number>): void {
    this.#model.fit(this.#encode(rows), labels, { epochs: this.#epochs, seed: this.#seed });
  }

  predict(rows: readonly LabelledRow[]): Float64Array {
    return this.#model.predictAll(this.#encode(rows));
  }

  #features(row: LabelledRow): string[] {
    return [...(this.#userFeatures.get(row.userId) ?? []), ...(this.#itemFeatures.get(row.itemId) ?? [])];
  }

  #encode(rows: readonly LabelledRow[]): Int32Array[] {
    return rows.map((row) => encodeFeatures(this.#index, this.#features(row)));
  }
}
