import { describe, expect, it } from 'vitest';
import { partitionBounds } from '../../store/sql/entityPartition.ts';

describe('partition hash ranges', () => {
  it.each([1, 2, 3, 7, 32, 256])('%i partitions tile [0, 2^63) without gaps or overlaps', (partitions) => {
    let next = 0n;
    for (let p = 0; p < partitions; p++) {
      const { low, high } = partitionBounds(p, partitions);
      expect(BigInt(low)).toBe(next);
      expect(BigInt(high) >= BigInt(low)).toBe(true);
      next = BigInt(high) + 1n;
    }
    expect(next).toBe(2n ** 63n);
  });

  it('refuses a partition outside the run', () => {
    expect(() => partitionBounds(3, 3)).toThrow(RangeError);
    expect(() => partitionBounds(-1, 3)).toThrow(RangeError);
    expect(() => partitionBounds(0, 0)).toThrow(RangeError);
  });
});
