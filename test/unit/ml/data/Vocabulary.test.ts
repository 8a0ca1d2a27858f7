import { describe, expect, it } from 'vitest';
import { Vocabulary, VocabularyCounter } from '../../../../ml/features/Vocabulary.ts';

describe('Vocabulary', () => {
  it('reserves 0 for unknown, orders by frequency then string, and applies minCount and maxSize', () => {
    const vocabulary = Vocabulary.build([['b', 'a', 'c', 'a'], ['c', 'd', 'a', 'e']], { minCount: 2 });
    expect(vocabulary.size).toBe(3);
    expect(vocabulary.indexOf('a')).toBe(1);
    expect(vocabulary.indexOf('c')).toBe(2);
    expect(vocabulary.indexOf('b')).toBe(0);
    expect(vocabulary.indexOf('never seen')).toBe(0);
    expect(vocabulary.entryAt(0)).toBeUndefined();
    expect(vocabulary.entryAt(2)).toBe('c');
    expect(vocabulary.encode(['c', 'zzz', 'a'])).toEqual([2, 0, 1]);

    const capped = Vocabulary.build([['b', 'a', 'c', 'a', 'b', 'd']], { maxSize: 3 });
    expect(capped.size).toBe(3);
    expect(capped.toJSON().entries).toEqual(['a', 'b']);
  });

  it('round-trips through JSON with identical indices', () => {
    const counter = new VocabularyCounter();
    counter.addAll(['x', 'y', 'y', 'z']);
    const vocabulary = counter.build();
    const restored = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocabulary)));
    for (const entry of ['x', 'y', 'z', 'w']) expect(restored.indexOf(entry)).toBe(vocabulary.indexOf(entry));
    expect(restored.size).toBe(4);
    expect(() => Vocabulary.fromJSON({ entries: [1] } as never)).toThrow(/array of strings/);
    expect(() => new Vocabulary(['a', 'a'])).toThrow(/distinct/);
  });
});
