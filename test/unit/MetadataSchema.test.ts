import { describe, expect, it } from 'vitest';
import { IngestError } from '../../store/ingest/IngestError.ts';
import { MetadataSchema } from '../../store/ingest/MetadataSchema.ts';

const origin = { file: 'users.jsonl', line: 7 };

describe('MetadataSchema', () => {
  it('infers types of new fields and declares each once', () => {
    const schema = new MetadataSchema([]);
    expect(schema.check('user', { age: 30, country: 'DE', tags: ['a'], vip: true, note: null }, origin)).toEqual({
      age: 30, country: 'DE', tags: ['a'], vip: true,
    });
    schema.check('user', { age: 41 }, origin);
    expect(schema.takeNewDeclarations().map((field) => `${field.name}:${field.type}`)).toEqual(['age:numeric', 'country:categorical', 'tags:tags', 'vip:boolean']);
    expect(schema.takeNewDeclarations()).toEqual([]);
  });

  it('keeps user and item fields apart', () => {
    const schema = new MetadataSchema([{ entityType: 'item', name: 'size', type: 'categorical' }]);
    expect(schema.check('user', { size: 3 }, origin)).toEqual({ size: 3 });
    expect(() => schema.check('item', { size: 3 }, origin)).toThrow(/field "metadata\.size": expected a string \(a categorical field\), got 3/);
  });

  it('checks values against declared types with file, line and field in the message', () => {
    const schema = new MetadataSchema([
      { entityType: 'item', name: 'released', type: 'date' },
      { entityType: 'item', name: 'price', type: 'numeric' },
      { entityType: 'item', name: 'tags', type: 'tags' },
    ]);
    expect(schema.check('item', { released: '1995-01-31', price: 9.5, tags: [] }, origin)).toEqual({ released: '1995-01-31', price: 9.5, tags: [] });
    expect(() => schema.check('item', { released: '31/01/1995' }, origin)).toThrow('users.jsonl:7: field "metadata.released": expected an ISO 8601 date');
    expect(() => schema.check('item', { tags: ['a', 1] }, origin)).toThrow(/expected an array of strings/);
    expect(() => schema.check('item', { price: Number.NaN }, origin)).toThrow(/expected a finite number \(a numeric field\), got NaN/);
    expect(() => schema.check('item', { 'bad name': 1 }, origin)).toThrow(IngestError);
    expect(() => schema.check('item', { nested: { a: 1 } }, origin)).toThrow(/expected a number, string, boolean or array of strings/);
  });

  it('refuses to redeclare a field with another type', () => {
    const schema = new MetadataSchema([{ entityType: 'user', name: 'age', type: 'numeric' }]);
    schema.declare({ entityType: 'user', name: 'age', type: 'numeric' }, origin);
    expect(() => schema.declare({ entityType: 'user', name: 'age', type: 'text' }, origin)).toThrow(/declared as numeric and cannot be redeclared as text/);
  });
});
