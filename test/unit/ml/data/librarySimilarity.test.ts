import { describe, expect, it } from 'vitest';
import { TfIdf } from '../../../../ml/baselines/tfidf.ts';
import { ContentKnn } from '../../../../ml/baselines/contentKnn.ts';
import { coldAlias, FeaturePipeline } from '../../../../ml/pipeline/FeaturePipeline.ts';
import { LibrarySimilarity } from '../../../../ml/pipeline/LibrarySimilarity.ts';

const titles: Record<string, string[]> = {
  p1: ['graph', 'neural', 'network'],
  p2: ['neural', 'network', 'training'],
  p3: ['protein', 'folding'],
  p4: ['graph', 'network', 'community'],
  p5: ['protein', 'structure', 'folding'],
};
const tfidf = TfIdf.fit(Object.values(titles));
const vectors = new Map(Object.entries(titles).map(([id, words]) => [id, tfidf.vectorize(words)]));

function cosine(a: string, b: string): number {
  const va = vectors.get(a)!;
  const vb = vectors.get(b)!;
  let sum = 0;
  va.indices.forEach((t, k) => {
    const j = vb.indices.indexOf(t);
    if (j >= 0) sum += va.values[k]! * vb.values[j]!;
  });
  return sum;
}

describe('LibrarySimilarity', () => {
  const libraries = new Map([['u', ['p1', 'p2', 'p3']]]);
  const similarity = new LibrarySimilarity(vectors, libraries, tfidf.vocabulary.size);

  it('scores an unseen item like content kNN (centroid), the best single match and the top-3 mean', () => {
    const [centroid, max, top3] = similarity.compute([{ userId: 'u', itemId: 'p4' }]);
    const knn = new ContentKnn([{ id: 'p4', vector: vectors.get('p4')! }]);
    expect(centroid).toBeCloseTo(knn.score(['p1', 'p2', 'p3'].map((id) => vectors.get(id)!))[0]!, 5);
    const sims = ['p1', 'p2', 'p3'].map((id) => cosine(id, 'p4'));
    expect(max).toBeCloseTo(Math.max(...sims), 5);
    expect(top3).toBeCloseTo(sims.reduce((a, b) => a + b, 0) / 3, 5);
  });

  it("leaves the row's own item out of the library, so a training positive scores like an unseen item", () => {
    const [inLibrary] = [similarity.compute([{ userId: 'u', itemId: 'p1' }])];
    const without = new LibrarySimilarity(vectors, new Map([['u', ['p2', 'p3']]]), tfidf.vocabulary.size).compute([{ userId: 'u', itemId: 'p1' }]);
    for (let c = 0; c < 3; c++) expect(inLibrary[c]).toBeCloseTo(without[c]!, 5);
    // Without leaving it out the item would match itself perfectly.
    expect(inLibrary[1]).toBeLessThan(0.99);
  });

  it('resolves cold aliases to their content, and is undefined (NaN) without a library', () => {
    const [alias] = similarity.compute([{ userId: 'u', itemId: coldAlias('p5') }]);
    const [plain] = similarity.compute([{ userId: 'u', itemId: 'p5' }]);
    expect(alias).toBeCloseTo(plain!, 6);
    expect(plain).toBeGreaterThan(0);
    expect(Number.isNaN(similarity.compute([{ userId: 'nobody', itemId: 'p5' }])[0])).toBe(true);
  });

  it('become extra aggregate columns of a FeaturePipeline, kept under ID dropout', () => {
    const pipeline = new FeaturePipeline({
      fields: [{ entityType: 'item', name: 'title', type: 'text' }],
      users: [{ externalId: 'u', metadata: {} }],
      items: Object.entries(titles).map(([id, words]) => ({ externalId: id, metadata: { title: words.join(' ') } })),
      trainEvents: ['p1', 'p2', 'p3'].map((itemId, k) => ({ userId: 'u', itemId, value: 1, time: k })),
      positiveThreshold: 1,
      label: () => 1,
      pairFeatures: similarity,
    });
    expect(pipeline.aggregateSpecs.slice(-3).map((spec) => spec.side)).toEqual(['pair', 'pair', 'pair']);
    const set = pipeline.examples([{ userId: 'u', itemId: 'p4', time: 10 }, { userId: 'u', itemId: 'p5', time: 10 }], []);
    const width = pipeline.aggregateSpecs.length;
    expect(set.aggregates.length).toBe(2 * width);
    expect(set.aggregates[width - 3]).toBeCloseTo(similarity.compute([{ userId: 'u', itemId: 'p4' }])[0]!, 6);
    const builder = pipeline.builder('train');
    const kept = builder.build(set, [0, 1]);
    const dropped = builder.build(set, [0, 1], { dropout: 1, random: { next: () => 0 } as never });
    for (let b = 0; b < 2; b++) {
      for (let c = width - 3; c < width; c++) expect(dropped.aggregates[b * width + c]).toBe(kept.aggregates[b * width + c]);
    }
  });
});
