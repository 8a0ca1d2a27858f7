import { describe, expect, it } from 'vitest';
import { ContentKnn } from '../../../../ml/baselines/contentKnn.ts';
import { TfIdf } from '../../../../ml/baselines/tfidf.ts';
import { tokenize } from '../../../../ml/features/tokenizer.ts';

const TRAIN_TITLES: Record<string, string> = {
  t1: 'Deep neural networks for image recognition',
  t2: 'Training recurrent neural networks',
  t3: 'Protein folding in the cell',
  t4: 'Gene expression of yeast proteins',
  t5: 'A survey of social networks',
};
const COLD_TITLES: Record<string, string> = {
  c1: 'Convolutional neural networks for images',
  c2: 'Protein structure and gene regulation',
  c3: 'Medieval poetry',
};
const words = (title: string): string[] => tokenize(title, { stopwords: true });

describe('TfIdf', () => {
  it('weights rare terms higher and returns unit vectors over the training vocabulary', () => {
    const tfidf = TfIdf.fit(Object.values(TRAIN_TITLES).map(words));
    const networks = tfidf.vocabulary.indexOf('networks');
    const yeast = tfidf.vocabulary.indexOf('yeast');
    expect(tfidf.idf[networks]).toBeCloseTo(Math.log(6 / 4) + 1, 12); // in 3 of 5 titles
    expect(tfidf.idf[yeast]).toBeCloseTo(Math.log(6 / 2) + 1, 12);
    const vector = tfidf.vectorize(words('yeast networks poetry'));
    expect(vector.indices.length).toBe(2); // "poetry" is not in the training vocabulary
    expect(Math.hypot(...vector.values)).toBeCloseTo(1, 6);
    expect(tfidf.vectorize(['unknown']).indices.length).toBe(0);
  });
});

describe('ContentKnn', () => {
  const tfidf = TfIdf.fit(Object.values(TRAIN_TITLES).map(words));
  const vector = (title: string) => tfidf.vectorize(words(title));
  const candidates = Object.entries(COLD_TITLES).map(([id, title]) => ({ id, vector: vector(title) }));

  it("ranks the cold item closest to the user's library first, for every aggregate", () => {
    const deepLearner = [vector(TRAIN_TITLES.t1!), vector(TRAIN_TITLES.t2!)];
    const biologist = [vector(TRAIN_TITLES.t3!), vector(TRAIN_TITLES.t4!)];
    for (const aggregate of ['centroid', 'max', { topK: 2 }] as const) {
      const knn = new ContentKnn(candidates, { aggregate });
      expect(knn.rank(deepLearner, 2)).toEqual(['c1', 'c2']);
      expect(knn.rank(biologist, 1)).toEqual(['c2']);
      expect(knn.score(biologist)[2]).toBe(0); // nothing in common with poetry
    }
  });

  it('computes cosine to the centroid, max cosine, and the mean of the top-k cosines', () => {
    const unit = (indices: number[], values: number[]) => ({ indices: Int32Array.from(indices), values: Float32Array.from(values) });
    const knn = (aggregate: 'centroid' | 'max' | { topK: number }) => new ContentKnn([{ id: 'x', vector: unit([1], [1]) }], { aggregate });
    // library: e1 (cos 1 with x) and e2 (cos 0): centroid (1, 1) -> cos 1/sqrt(2)
    const library = [unit([1], [1]), unit([2], [1])];
    expect(knn('centroid').score(library)[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(knn('max').score(library)[0]).toBeCloseTo(1, 6);
    expect(knn({ topK: 2 }).score(library)[0]).toBeCloseTo(0.5, 6);
    expect(knn('centroid').score([])[0]).toBe(0);
    expect(() => knn({ topK: 0 })).toThrow(/topK/);
  });
});
