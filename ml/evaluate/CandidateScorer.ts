/**
 * Scores one user against a fixed candidate list (the ranking protocol ranks all held-out items
 * for every user): the item companion runs ONCE for all candidates, and each user's scores come
 * from SynthModel.scoreFromSynthetic over the stored item vectors, as serving scores
 * materialized features. Same numbers as predicting every (user, candidate) example, without
 * recomputing the candidates' synthetic features for every user.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ExampleBuilder, ExampleSet } from '../data/ExampleBuilder.ts';
import type { EntityTable } from '../data/EntityTable.ts';
import type { SynthModel } from '../model/SynthModel.ts';

export class CandidateScorer {
  readonly #model: SynthModel;
  readonly #builder: ExampleBuilder;
  readonly #candidates: readonly string[];
  /** [C, synthDim] synthetic features of the candidates, in candidate order. */
  readonly #synthItem: Float32Array;

  constructor(model: SynthModel, builder: ExampleBuilder, items: EntityTable, candidates: readonly string[]) {
    this.#model = model;
    this.#builder = builder;
    this.#candidates = candidates;
    const rows = candidates.map((id) => {
      const row = items.rowOf(id);
      if (row === undefined) throw new RangeError(`candidate item "${id}" is not in the item table`);
      return row;
    });
    const synth = model.synthesize('item', items.gather(rows));
    this.#synthItem = synth.dataSync() as Float32Array;
    synth.dispose();
  }

  /**
   * Scores of `set`, whose examples are one user's pairs with every candidate, in candidate
   * order (the aggregates of each pair as the ExampleSet carries them).
   */
  score(set: ExampleSet): Float32Array {
    const n = this.#candidates.length;
    if (set.examples.length !== n || set.examples.some((example, c) => example.itemId !== this.#candidates[c])) {
      throw new RangeError('CandidateScorer.score: the examples must pair one user with every candidate, in candidate order');
    }
    const userId = set.examples[0]?.userId;
    if (set.examples.some((example) => example.userId !== userId)) throw new RangeError('CandidateScorer.score: expected one user');
    const batch = this.#builder.build(set);
    const synthUser = this.#model.synthesize('user', batch.users);
    let result: { prediction: tf.Tensor1D; groupWeights: tf.Tensor2D; combined: tf.Tensor2D } | undefined;
    try {
      result = this.#model.scoreFromSynthetic({
        size: batch.size,
        userId: batch.userId,
        itemId: batch.itemId,
        aggregates: batch.aggregates,
        synthUser: synthUser.dataSync() as Float32Array,
        userCount: batch.users.count,
        userRow: batch.userRow,
        synthItem: this.#synthItem,
        itemCount: n,
        // Each candidate occurs once, in order: the builder's item rows are 0..C-1.
        itemRow: batch.itemRow,
      });
      return result.prediction.dataSync() as Float32Array;
    } finally {
      synthUser.dispose();
      if (result) {
        result.prediction.dispose();
        result.groupWeights.dispose();
        result.combined.dispose();
      }
    }
  }
}
