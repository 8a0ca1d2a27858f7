import { describe, expect, it } from 'vitest';
import { checkFeatureValues } from '../../../store/featureSets/checkFeatureValues.ts';
import { FeatureSetInputError } from '../../../store/featureSets/errors.ts';
import { classifyDefinitionChange, defineFeatureSet, sameSchema } from '../../../store/featureSets/FeatureSetDefinition.ts';
import { populationStability } from '../../../store/featureSets/statistics.ts';

const base = {
  name: 'user_profile',
  entityType: 'user',
  kind: 'raw',
  owner: 'team-recs',
  source: { fields: ['age', 'country'] },
  features: [
    { name: 'age', type: 'numeric' },
    { name: 'country', type: 'categorical' },
  ],
};

describe('feature set definitions', () => {
  it('fills defaults and normalizes tags', () => {
    const definition = defineFeatureSet({ ...base, tags: [' b', 'a', 'b'] });
    expect(definition).toMatchObject({ description: '', tags: ['a', 'b'] });
    expect(definition.ttlSeconds).toBeUndefined();
  });

  it('accepts each kind with its source', () => {
    expect(defineFeatureSet({ ...base, name: 'img', kind: 'embedding', source: { modality: 'image' }, features: [{ name: 'image', type: 'vector', dimension: 512 }] }).kind).toBe('embedding');
    const synthesized = defineFeatureSet({ ...base, name: 'syn', kind: 'synthesized', source: { model: 'ranker', modelVersion: 3 }, features: [{ name: 's', type: 'vector', dimension: 32 }] });
    expect(synthesized.source).toEqual({ model: 'ranker', modelVersion: 3 });
  });

  it('rejects invalid definitions with every problem and its path', () => {
    const attempt = () =>
      defineFeatureSet({
        ...base,
        name: 'User Profile',
        owner: ' ',
        ttlSeconds: 0,
        features: [
          { name: 'age', type: 'numeric' },
          { name: 'age', type: 'text' },
          { name: 'v', type: 'vector' },
        ],
      });
    expect(attempt).toThrow(FeatureSetInputError);
    try {
      attempt();
    } catch (error) {
      const issues = (error as FeatureSetInputError).issues.join('\n');
      expect(issues).toMatch(/^name: expected a lowercase identifier/m);
      expect(issues).toMatch(/^owner: /m);
      expect(issues).toMatch(/^ttlSeconds: /m);
      expect(issues).toMatch(/^features\.2\.dimension: /m);
      expect((error as FeatureSetInputError).code).toBe('BAD_USER_INPUT');
    }
    expect(() => defineFeatureSet({ ...base, features: [{ name: 'a', type: 'numeric' }, { name: 'a', type: 'text' }] })).toThrow(/duplicate feature "a"/);
    expect(() => defineFeatureSet({ ...base, kind: 'embedding', source: { modality: 'image' } })).toThrow(/exactly one vector feature/);
    expect(() => defineFeatureSet({ ...base, source: { modality: 'image' } })).toThrow(/source/);
    expect(() => defineFeatureSet({ ...base, extra: 1 })).toThrow(/extra/);
    expect(() =>
      defineFeatureSet({ ...base, features: [{ name: 'a', type: 'vector', dimension: 2 }, { name: 'b', type: 'vector', dimension: 3 }] }),
    ).toThrow(/at most one vector feature/);
    expect(() => defineFeatureSet({ ...base, features: [{ name: 'a', type: 'vector', dimension: 16_001 }] })).toThrow(/dimension/);
    expect(() => defineFeatureSet({ ...base, features: [] })).toThrow(/at least one feature/);
  });

  it('classifies changes: compatible, incompatible (schema), forbidden (identity)', () => {
    const before = defineFeatureSet(base);
    expect(classifyDefinitionChange(before, defineFeatureSet(base))).toEqual({ kind: 'unchanged' });
    expect(classifyDefinitionChange(before, defineFeatureSet({ ...base, features: [...base.features].reverse() }))).toEqual({ kind: 'unchanged' });
    expect(classifyDefinitionChange(before, defineFeatureSet({ ...base, owner: 'other', tags: ['x'], ttlSeconds: 60, description: 'd' }))).toEqual({
      kind: 'compatible',
      fields: ['owner', 'description', 'tags', 'ttlSeconds'],
    });
    expect(classifyDefinitionChange(before, defineFeatureSet({ ...base, features: [...base.features, { name: 'score', type: 'numeric' }] }))).toEqual({ kind: 'incompatible', fields: ['features'] });
    expect(classifyDefinitionChange(before, defineFeatureSet({ ...base, features: [{ name: 'age', type: 'text' }, base.features[1]] }))).toEqual({ kind: 'incompatible', fields: ['features'] });
    expect(classifyDefinitionChange(before, defineFeatureSet({ ...base, owner: 'x', source: { fields: ['age'] } }))).toEqual({ kind: 'incompatible', fields: ['source', 'owner'] });
    expect(classifyDefinitionChange(before, defineFeatureSet({ ...base, entityType: 'item' }))).toEqual({ kind: 'forbidden', fields: ['entityType'] });
    const vectorA = defineFeatureSet({ ...base, features: [{ name: 'v', type: 'vector', dimension: 8 }] });
    const vectorB = defineFeatureSet({ ...base, features: [{ name: 'v', type: 'vector', dimension: 16 }] });
    expect(classifyDefinitionChange(vectorA, vectorB)).toEqual({ kind: 'incompatible', fields: ['features'] });
    expect(sameSchema(vectorA, vectorA)).toBe(true);
    expect(sameSchema(vectorA, vectorB)).toBe(false);
  });
});

describe('checkFeatureValues', () => {
  const schema = {
    features: [
      { name: 'age', type: 'numeric' as const },
      { name: 'active', type: 'boolean' as const },
      { name: 'genres', type: 'tags' as const },
      { name: 'v', type: 'vector' as const, dimension: 2 },
    ],
    source: { fields: ['age'] },
  };

  it('accepts values that follow the schema, nulls and missing values included', () => {
    expect(() =>
      checkFeatureValues(schema, [
        { entityKey: 'a', values: { age: 3, active: true, genres: ['x'] }, vector: [1, 2], validFrom: new Date() },
        { entityKey: 'b', values: { age: null }, vector: null, validFrom: '2025-01-01T00:00:00.000001Z' },
      ]),
    ).not.toThrow();
  });

  it('reports each bad row and field', () => {
    try {
      checkFeatureValues(schema, [
        { entityKey: 'a', values: { age: 'old', unknown: 1 }, vector: [1], validFrom: '2025-01-01' },
        { entityKey: 'a', values: { genres: 'x' }, vector: [1, Number.NaN], validFrom: new Date(Number.NaN) },
      ]);
      expect.unreachable();
    } catch (error) {
      expect((error as FeatureSetInputError).issues).toEqual([
        'rows[0].values.age: expected a finite number, got "old"',
        'rows[0].values.unknown: not a feature of this version (age, active, genres)',
        'rows[0].vector: expected 2 numbers (v), got 1',
        'rows[0].validFrom: expected a Date or an ISO 8601 timestamp with an offset, got 2025-01-01',
        'rows[1].entityKey: "a" appears twice in one write',
        'rows[1].values.genres: expected an array of strings, got "x"',
        'rows[1].vector: expected finite numbers',
        'rows[1].validFrom: expected a Date or an ISO 8601 timestamp with an offset, got Invalid Date',
      ]);
    }
  });
});

describe('populationStability', () => {
  it('is 0 for identical histograms and follows sum((a - e) ln(a / e)) with a 1e-4 floor', () => {
    expect(populationStability([1, 2, 3], [2, 4, 6]).value).toBeCloseTo(0, 12);
    const psi = populationStability([1, 1, 0], [0, 1, 1]);
    const floor = 1e-4;
    const expected = (floor - 0.5) * Math.log(floor / 0.5) + 0 + (0.5 - floor) * Math.log(0.5 / floor);
    expect(psi.value).toBeCloseTo(expected, 10);
    expect(psi.expected).toEqual([0.5, 0.5, 0]);
  });
});
