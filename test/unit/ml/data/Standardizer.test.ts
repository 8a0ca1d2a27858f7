import { describe, expect, it } from 'vitest';
import { Standardizer } from '../../../../ml/features/Standardizer.ts';

describe('Standardizer', () => {
  it('fits mean and population std per column, ignoring missing values', () => {
    // columns: a = [1, 3, NaN, 5], b = [10, 10, 10, 10] (no spread), c = all missing
    const rows = [1, 10, NaN, 3, 10, NaN, NaN, 10, NaN, 5, 10, NaN];
    const standardizer = Standardizer.fit(['a', 'b', 'c'], rows);
    expect([...standardizer.mean]).toEqual([3, 10, 0]);
    expect(standardizer.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(standardizer.std[1]).toBe(1);
    expect(standardizer.std[2]).toBe(1);
    const out = standardizer.transform(rows);
    expect(out[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 6);
    expect(out[1]).toBe(0);
    expect(out[6]).toBe(0); // missing -> 0 (the mean)
    expect(standardizer.standardize(0, Number.NaN)).toBe(0);
  });

  it('is stable for large values and round-trips through JSON', () => {
    const years = [1995.1, 1995.3, 1995.5];
    const standardizer = Standardizer.fit(['year'], years);
    expect(standardizer.mean[0]).toBeCloseTo(1995.3, 9);
    const restored = Standardizer.fromJSON(JSON.parse(JSON.stringify(standardizer)));
    expect(restored.transform(years)).toEqual(standardizer.transform(years));
    expect(() => new Standardizer(['x'], [0], [0])).toThrow(/std > 0/);
  });
});
