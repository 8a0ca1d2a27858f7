/**
 * TF-IDF vectors of token lists, L2-normalized: raw term counts times the smoothed inverse
 * document frequency idf(t) = ln((1 + N) / (1 + df(t))) + 1 (as scikit-learn computes it), with
 * N and df from the documents the model was fitted on. Terms outside that vocabulary are dropped.
 */
import { Vocabulary } from '../features/Vocabulary.ts';

/** Sparse vector: ascending term indices and their values. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export interface TfIdfOptions {
  /** Keep terms that occur in at least this many documents; default 1. */
  readonly minDf?: number;
}

export class TfIdf {
  readonly vocabulary: Vocabulary;
  /** idf per vocabulary index (index 0 unused). */
  readonly idf: Float64Array;

  constructor(vocabulary: Vocabulary, idf: Float64Array) {
    if (idf.length !== vocabulary.size) throw new RangeError(`idf needs ${vocabulary.size} values, got ${idf.length}`);
    this.vocabulary = vocabulary;
    this.idf = idf;
  }

  static fit(documents: readonly (readonly string[])[], options: TfIdfOptions = {}): TfIdf {
    // Counting each term once per document makes the vocabulary's counts document frequencies.
    const vocabulary = Vocabulary.build(documents.map((tokens) => new Set(tokens)), { minCount: options.minDf ?? 1 });
    const df = new Float64Array(vocabulary.size);
    for (const tokens of documents) for (const term of new Set(tokens)) df[vocabulary.indexOf(term)]!++;
    const idf = new Float64Array(vocabulary.size);
    for (let t = 1; t < vocabulary.size; t++) idf[t] = Math.log((1 + documents.length) / (1 + df[t]!)) + 1;
    return new TfIdf(vocabulary, idf);
  }

  /** The unit-length TF-IDF vector of a token list (empty when no token is known). */
  vectorize(tokens: readonly string[]): SparseVector {
    const counts = new Map<number, number>();
    for (const token of tokens) {
      const t = this.vocabulary.indexOf(token);
      if (t !== 0) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const indices = Int32Array.from(counts.keys()).sort();
    const values = Float32Array.from(indices, (t) => counts.get(t)! * this.idf[t]!);
    let norm = 0;
    for (const value of values) norm += value * value;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < values.length; k++) values[k]! /= norm;
    return { indices, values };
  }
}
