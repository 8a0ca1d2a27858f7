/**
 * The contract between the data side (features encoded from the store) and the model side
 * (companion, combination, primary network). Plain typed arrays, row-major, so that batches can
 * be built without TensorFlow and turned into tensors in one place.
 *
 * Glossary:
 * - entity inputs: the non-event data of users or items (metadata fields, text, tags, modality
 *   embeddings), encoded for the companion network. Index 0 of every vocabulary means
 *   "unknown or missing"; padding of variable-length lists is 0 too.
 * - original features: what an event knows beyond the entities' content: the user and item ID
 *   indices (0 = unknown: a cold entity, or one hidden by original-feature dropout) and
 *   behavioural aggregates computed point-in-time from earlier events only.
 * - rows: the companion runs once per distinct entity in a batch; `userRow[b]` says which row
 *   of `users` example b refers to.
 */

/** The shapes of one entity type's encoded inputs; fixed for a trained model. */
export interface EntityInputSchema {
  /** Vocabulary size (including index 0) of each categorical field, in field order. */
  readonly categoricalVocabSizes: readonly number[];
  readonly categoricalNames: readonly string[];
  readonly numericNames: readonly string[];
  /** Tag ids per entity (from all tags fields), padded with 0. */
  readonly maxTags: number;
  readonly tagVocabSize: number;
  /** Token ids of all text fields concatenated, padded with 0. */
  readonly maxTokens: number;
  readonly tokenVocabSize: number;
  readonly modalities: readonly { readonly name: string; readonly dimension: number }[];
}

/** Encoded inputs of N entities of one type, following an EntityInputSchema. */
export interface EntityInputs {
  readonly count: number;
  /** [N, categorical fields] vocabulary indices. */
  readonly categorical: Int32Array;
  /** [N, numeric fields] standardized values; 0 where missing. */
  readonly numeric: Float32Array;
  /** [N, numeric fields] 1 where the value is present, 0 where missing. */
  readonly numericPresent: Float32Array;
  /** [N, maxTags] tag ids, 0-padded. */
  readonly tags: Int32Array;
  /** [N, maxTokens] token ids, 0-padded. */
  readonly tokens: Int32Array;
  /** One entry per schema modality, in order: [N, dimension] vectors and [N] presence. */
  readonly modalities: readonly { readonly values: Float32Array; readonly present: Float32Array }[];
}

/** The shapes of the original (event-side) features. */
export interface OriginalInputSchema {
  /** ID vocabulary sizes including index 0 (unknown). */
  readonly userIdVocabSize: number;
  readonly itemIdVocabSize: number;
  readonly aggregateNames: readonly string[];
}

export type Task = 'binary' | 'regression';

/** B training or scoring examples: (user, item) pairs with their original features. */
export interface ExampleBatch {
  readonly size: number;
  /** [B] ID indices; 0 = unknown (cold, or dropped out). */
  readonly userId: Int32Array;
  readonly itemId: Int32Array;
  /** [B, aggregates] standardized point-in-time behavioural aggregates. */
  readonly aggregates: Float32Array;
  readonly users: EntityInputs;
  /** [B] row of `users` for each example. */
  readonly userRow: Int32Array;
  readonly items: EntityInputs;
  /** [B] row of `items` for each example. */
  readonly itemRow: Int32Array;
  /** [B] targets: 0/1 for binary, the value for regression; absent when scoring. */
  readonly label?: Float32Array;
  /**
   * Set when the rows are whole groups of this many examples of one user, the positive first,
   * then its sampled negatives (what a ranking loss compares; see ExampleSet.groupSize).
   */
  readonly groupSize?: number;
}

/**
 * B (user, item) pairs to score from synthetic features computed earlier (materialized feature
 * values): the serving path, which runs no companion for entities the store has vectors of.
 */
export interface SyntheticBatch {
  readonly size: number;
  /** [B] ID indices; 0 = unknown. */
  readonly userId: Int32Array;
  readonly itemId: Int32Array;
  /** [B, aggregates] standardized behavioural aggregates. */
  readonly aggregates: Float32Array;
  /** [U, synthDim] synthetic features of the batch's distinct users, and U. */
  readonly synthUser: Float32Array;
  readonly userCount: number;
  /** [B] row of `synthUser` for each example. */
  readonly userRow: Int32Array;
  /** [I, synthDim] synthetic features of the batch's distinct items, and I. */
  readonly synthItem: Float32Array;
  readonly itemCount: number;
  readonly itemRow: Int32Array;
}
