import { describe, expect, it } from 'vitest';
import { buildFeatureIndex, encodeFeatures, LogisticRegression } from '../../../../ml/baselines/logisticRegression.ts';
import { MetadataOneHot } from '../../../../ml/baselines/metadataOneHot.ts';
import { rocAuc } from '../../../../ml/metrics/auc.ts';
import { Random } from '../../../../store/demo/random.ts';
import type { FieldDeclaration } from '../../../../store/ingest/records.ts';

/** Users who like comedies: label = 1 iff the item is a comedy, with 10% label noise. */
function data(seed: number, count: number): { features: string[][]; labels: number[] } {
  const random = new Random(seed);
  const features: string[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < count; k++) {
    const comedy = random.chance(0.5);
    features.push([`user=u${random.int(20)}`, comedy ? 'genre=comedy' : 'genre=drama', `noise=${random.int(5)}`]);
    labels.push((comedy ? 1 : 0) ^ (random.chance(0.1) ? 1 : 0));
  }
  return { features, labels };
}

describe('LogisticRegression', () => {
  const train = data(1, 2000);
  const index = buildFeatureIndex(train.features);
  const rows = train.features.map((features) => encodeFeatures(index, features));

  it('learns the obvious rule and ranks held-out examples almost perfectly', () => {
    const model = new LogisticRegression(index.size).fit(rows, train.labels, { epochs: 5 });
    const comedy = model.predict(encodeFeatures(index, ['genre=comedy']));
    const drama = model.predict(encodeFeatures(index, ['genre=drama']));
    expect(comedy).toBeGreaterThan(0.8);
    expect(drama).toBeLessThan(0.2);
    const test = data(2, 500);
    const auc = rocAuc(model.predictAll(test.features.map((features) => encodeFeatures(index, features))), test.labels);
    expect(auc).toBeGreaterThan(0.85);
  });

  it('ignores features unseen in training and is deterministic by seed', () => {
    expect([...encodeFeatures(index, ['genre=comedy', 'genre=western', 'genre=comedy'])]).toEqual([index.indexOf('genre=comedy')]);
    const a = new LogisticRegression(index.size).fit(rows, train.labels, { seed: 3 });
    const b = new LogisticRegression(index.size).fit(rows, train.labels, { seed: 3 });
    const c = new LogisticRegression(index.size).fit(rows, train.labels, { seed: 4 });
    expect(b.weights).toEqual(a.weights);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('keeps learning from new data when fitted again (the warm-phase update)', () => {
    const model = new LogisticRegression(index.size).fit(rows, train.labels);
    const user = encodeFeatures(index, ['user=u1']);
    const before = model.predict(user);
    model.fit(Array.from({ length: 50 }, () => user), Array.from({ length: 50 }, () => 1), { epochs: 3 });
    expect(model.predict(user)).toBeGreaterThan(before);
  });

  it('stays finite and shrinks weights under strong L2', () => {
    const strong = new LogisticRegression(index.size).fit(rows, train.labels, { l2: 1 });
    const weak = new LogisticRegression(index.size).fit(rows, train.labels, { l2: 0 });
    const norm = (w: Float64Array): number => Math.hypot(...w);
    expect(norm(strong.weights)).toBeLessThan(norm(weak.weights));
    expect(strong.weights.every(Number.isFinite)).toBe(true);
  });
});

describe('MetadataOneHot', () => {
  const fields: FieldDeclaration[] = [
    { entityType: 'item', name: 'genres', type: 'tags' },
    { entityType: 'item', name: 'release_date', type: 'date' },
    { entityType: 'item', name: 'title', type: 'text' },
    { entityType: 'item', name: 'imdb_url', type: 'text' },
    { entityType: 'item', name: 'kind', type: 'categorical' },
    { entityType: 'item', name: 'adult', type: 'boolean' },
  ];
  const items = [1990, 1992, 1994, 1996].map((year) => ({ release_date: `${year}-01-01`, genres: ['Drama'], kind: 'film', adult: false }));

  it('one-hot encodes categories, tags and booleans and bins numbers by training quantiles', () => {
    const oneHot = MetadataOneHot.fit(fields, items, { prefix: 'item.', bins: 2, excludeFields: ['imdb_url'] });
    expect(oneHot.features({ genres: ['Comedy', 'Drama'], kind: 'film', adult: true, release_date: '1991-05-01' })).toEqual([
      'item.adult=true', 'item.genres=comedy', 'item.genres=drama', 'item.kind=film', 'item.release_date#0',
    ]);
    expect(oneHot.features({ release_date: '1999-01-01' })).toEqual(['item.release_date#1']);
    expect(oneHot.features({})).toEqual(['item.release_date#missing']);
    const withText = MetadataOneHot.fit(fields, items, { prefix: '', text: true, excludeFields: ['imdb_url', 'release_date'] });
    expect(withText.features({ title: 'The Toy Story of toys' })).toEqual(['title~toy', 'title~story', 'title~toys']);
  });
});
