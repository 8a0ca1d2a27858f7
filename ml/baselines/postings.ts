import type { SparseVector } from './tfidf.ts';

/** The documents (by position) that contain one term, with the term's weight in each. */
export interface Posting {
  readonly documents: number[];
  readonly weights: number[];
}

/** An inverted index over sparse vectors: term -> posting, so a query's dot products touch only the documents sharing a term with it. */
export function buildPostings(vectors: Iterable<SparseVector>): Map<number, Posting> {
  const postings = new Map<number, Posting>();
  let document = 0;
  for (const vector of vectors) {
    for (let t = 0; t < vector.indices.length; t++) {
      const term = vector.indices[t]!;
      let posting = postings.get(term);
      if (!posting) postings.set(term, (posting = { documents: [], weights: [] }));
      posting.documents.push(document);
      posting.weights.push(vector.values[t]!);
    }
    document++;
  }
  return postings;
}
