import { describe, expect, it } from 'vitest';
import { EntityEncoder, type EntityContent } from '../../../../ml/features/EntityEncoder.ts';
import { yearFraction } from '../../../../ml/features/metadataValues.ts';
import type { FieldDeclaration } from '../../../../store/ingest/records.ts';

const FIELDS: FieldDeclaration[] = [
  { entityType: 'item', name: 'title', type: 'text' },
  { entityType: 'item', name: 'genres', type: 'tags' },
  { entityType: 'item', name: 'keywords', type: 'tags' },
  { entityType: 'item', name: 'category', type: 'categorical' },
  { entityType: 'item', name: 'price', type: 'numeric' },
  { entityType: 'item', name: 'released', type: 'date' },
  { entityType: 'item', name: 'in_stock', type: 'boolean' },
  { entityType: 'item', name: 'imdb_url', type: 'text' },
  { entityType: 'user', name: 'age', type: 'numeric' },
];

const TRAINING: EntityContent[] = [
  {
    metadata: { title: 'Star Wars (1977)', genres: ['Action', 'Sci-Fi'], keywords: ['space'], category: 'film', price: 10, released: '1977-01-01', in_stock: true, imdb_url: 'http://x/star' },
    vectors: { image: [1, 2, 3] },
  },
  { metadata: { title: 'Star Trek (1979)', genres: ['Sci-Fi'], category: 'film', price: 20, released: '1979-07-02', in_stock: false } },
  { metadata: { title: 'Toy Story', genres: ['Animation'], category: 'cartoon', price: 30 }, vectors: { image: [0, 0, 1] } },
];

function fit(options = {}): EntityEncoder {
  return EntityEncoder.fit(
    { entityType: 'item', fields: FIELDS, modalities: [{ name: 'image', dimension: 3 }, { name: 'avatar', dimension: 2, entityType: 'user' }], entities: TRAINING },
    { excludeFields: ['imdb_url'], tokenVocabulary: { minCount: 1 }, ...options },
  );
}

describe('EntityEncoder', () => {
  it('derives the schema from the declared fields of its entity type, sorted by name', () => {
    const encoder = fit();
    expect(encoder.schema).toEqual({
      categoricalNames: ['category'],
      categoricalVocabSizes: [3],
      numericNames: ['in_stock', 'price', 'released'],
      maxTags: 3, // the largest training tag list: Action, Sci-Fi, space
      tagVocabSize: 5,
      maxTokens: 3,
      tokenVocabSize: 8, // 0 + star wars 1977 trek 1979 toy story
      modalities: [{ name: 'image', dimension: 3 }],
    });
    expect(encoder.vocabulary('tags').indexOf('genres:sci-fi')).toBe(1); // the most frequent tag
    expect(encoder.vocabulary('tags').has('keywords:space')).toBe(true);
  });

  it('encodes every field type, unknown values as 0 and missing ones as absent', () => {
    const encoder = fit();
    const cold: EntityContent = { metadata: { title: 'Star Wars: the unseen sequel', genres: ['Drama', 'Action'], category: 'documentary', released: 'not a date' } };
    const inputs = encoder.encode([TRAINING[0]!, cold]);
    expect(inputs.count).toBe(2);
    const film = encoder.vocabulary({ categorical: 'category' }).indexOf('film');
    expect([...inputs.categorical]).toEqual([film, 0]);
    // numeric columns: in_stock, price, released. Training price mean 20, std sqrt(200/3).
    expect(inputs.numeric[1]).toBeCloseTo(-10 / Math.sqrt(200 / 3), 5);
    expect([...inputs.numericPresent]).toEqual([1, 1, 1, 0, 0, 0]);
    expect([...inputs.numeric.slice(3)]).toEqual([0, 0, 0]);
    const tags = encoder.vocabulary('tags');
    expect([...inputs.tags.slice(0, 3)]).toEqual([tags.indexOf('genres:action'), tags.indexOf('genres:sci-fi'), tags.indexOf('keywords:space')]);
    // "Drama" was never seen in training: dropped, the known tag moves up.
    expect([...inputs.tags.slice(3)]).toEqual([tags.indexOf('genres:action'), 0, 0]);
    const tokens = encoder.vocabulary('tokens');
    expect([...inputs.tokens.slice(0, 3)]).toEqual(tokens.encode(['star', 'wars', '1977']));
    expect([...inputs.tokens.slice(3)]).toEqual([...tokens.encode(['star', 'wars']), 0]);
    expect([...inputs.modalities[0]!.values]).toEqual([1, 2, 3, 0, 0, 0]);
    expect([...inputs.modalities[0]!.present]).toEqual([1, 0]);
  });

  it('turns dates into year fractions and booleans into 1/0 before standardizing', () => {
    expect(yearFraction('1995-01-01')).toBe(1995);
    expect(yearFraction('1996-07-02')).toBeCloseTo(1996 + 183 / 366, 10);
    const encoder = fit({ fields: ['released', 'in_stock'] });
    const inputs = encoder.encode(TRAINING);
    // in_stock: [1, 0, missing] -> mean 0.5, std 0.5
    expect([...inputs.numeric.filter((_, i) => i % 2 === 0)]).toEqual([1, -1, 0]);
    // released: [1977, 1979.5] -> symmetric around the mean
    expect(inputs.numeric[1]).toBeCloseTo(-(inputs.numeric[3] ?? 0), 5);
  });

  it('truncates text to maxTokens and caps maxTags', () => {
    const encoder = fit({ maxTokens: 2, maxTags: 1 });
    expect(encoder.schema.maxTokens).toBe(2);
    expect(encoder.schema.maxTags).toBe(1);
    const inputs = encoder.encode([TRAINING[0]!]);
    expect(inputs.tokens.length).toBe(2);
    expect(inputs.tags.length).toBe(1);
  });

  it('leaves out excluded fields and modalities, and names the choices when a name is unknown', () => {
    const encoder = fit({ excludeFields: ['imdb_url', 'genres', 'keywords'], excludeModalities: ['image'] });
    expect(encoder.schema.maxTags).toBe(0);
    expect(encoder.schema.tagVocabSize).toBe(1);
    expect(encoder.schema.modalities).toEqual([]);
    const inputs = encoder.encode(TRAINING);
    expect(inputs.tags.length).toBe(0);
    expect(() => fit({ excludeFields: ['tags'] })).toThrow('unknown item field "tags": expected one of category, genres, imdb_url');
  });

  it('rejects a vector of the wrong dimension', () => {
    expect(() => fit().encode([{ metadata: {}, vectors: { image: [1, 2] } }])).toThrow(/dimension 3/);
  });

  it('encodes identically after a JSON round trip', () => {
    const encoder = fit();
    const restored = EntityEncoder.fromJSON(JSON.parse(JSON.stringify(encoder)));
    expect(restored.schema).toEqual(encoder.schema);
    const entities = [...TRAINING, { metadata: { title: 'Star Toy', category: 'film', price: 99 } }];
    expect(restored.encode(entities)).toEqual(encoder.encode(entities));
    expect(() => EntityEncoder.fromJSON({ format: 'other' } as never)).toThrow(/format/);
  });
});
