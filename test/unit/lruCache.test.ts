import { describe, expect, it } from 'vitest';
import { LruCache } from '../../store/lruCache.ts';

describe('LruCache', () => {
  it('keeps at most maxEntries, and what was used recently over what was not', () => {
    const cache = new LruCache<string, number>(4);
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) cache.set(key, i);
    expect(cache.get('a')).toBe(0); // used: survives the next generation change
    cache.set('e', 4);
    cache.set('f', 5);
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('a')).toBe(0);
    expect(cache.get('f')).toBe(5);
    expect(cache.get('b')).toBeUndefined();
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('k99')).toBe(99);
  });

  it('replaces the value of a key set again', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
    expect(cache.size).toBe(1);
  });
});
