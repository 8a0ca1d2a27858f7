import { describe, expect, it } from 'vitest';
import { AGGREGATE_NAMES, computeAggregates, unknownAggregates, type Interaction } from '../../../../ml/data/aggregates.ts';
import { Random } from '../../../../store/demo/random.ts';

const DAY = 86_400_000;
const OPTIONS = { positiveThreshold: 4 };

/** The definition, computed the slow way: filter the history to strictly earlier events. */
function reference(history: readonly Interaction[], query: { userId: string; itemId: string; time: number }): number[] {
  const earlier = history.filter((event) => event.time < query.time);
  const side = (events: Interaction[], days: number): number[] =>
    events.length === 0
      ? [0, NaN, NaN, NaN]
      : [
          Math.log1p(events.length),
          events.reduce((sum, event) => sum + event.value, 0) / events.length,
          events.filter((event) => event.value >= 4).length / events.length,
          Math.log1p(days),
        ];
  const user = earlier.filter((event) => event.userId === query.userId);
  const item = earlier.filter((event) => event.itemId === query.itemId);
  return [
    ...side(user, (query.time - Math.max(...user.map((event) => event.time))) / DAY),
    ...side(item, (query.time - Math.min(...item.map((event) => event.time))) / DAY),
  ];
}

function row(values: Float32Array, q: number): number[] {
  return [...values.slice(q * AGGREGATE_NAMES.length, (q + 1) * AGGREGATE_NAMES.length)];
}

describe('computeAggregates', () => {
  it('computes counts, means, positive rates and recency from earlier events', () => {
    const history: Interaction[] = [
      { userId: 'u', itemId: 'a', value: 5, time: 0 },
      { userId: 'u', itemId: 'b', value: 2, time: 2 * DAY },
      { userId: 'v', itemId: 'a', value: 4, time: 3 * DAY },
    ];
    const out = computeAggregates(history, [{ userId: 'u', itemId: 'a', time: 5 * DAY }], OPTIONS);
    const [uCount, uMean, uRate, uDays, iCount, iMean, iRate, iDays] = row(out, 0);
    expect(uCount).toBeCloseTo(Math.log1p(2), 6);
    expect(uMean).toBe(3.5);
    expect(uRate).toBe(0.5);
    expect(uDays).toBeCloseTo(Math.log1p(3), 6); // previous user event on day 2
    expect(iCount).toBeCloseTo(Math.log1p(2), 6);
    expect(iMean).toBe(4.5);
    expect(iRate).toBe(1);
    expect(iDays).toBeCloseTo(Math.log1p(5), 6); // the item's first event on day 0
  });

  it('never lets an event see itself or any event at the same or a later time', () => {
    // Every event at the same instant, plus later events with extreme values.
    const t = 10 * DAY;
    const history: Interaction[] = [
      { userId: 'u', itemId: 'a', value: 1, time: t },
      { userId: 'u', itemId: 'a', value: 5, time: t },
      { userId: 'u', itemId: 'b', value: 5, time: t },
      { userId: 'u', itemId: 'a', value: 1000, time: t + 1 },
      { userId: 'u', itemId: 'a', value: -1000, time: t + DAY },
    ];
    const out = computeAggregates(history, history, OPTIONS);
    for (let q = 0; q < 3; q++) expect(row(out, q)).toEqual(row(unknownAggregates(), 0));
    // The event one millisecond later sees exactly the three same-time events, not itself or the last one.
    expect(row(out, 3)[0]).toBeCloseTo(Math.log1p(3), 6);
    expect(row(out, 3)[1]).toBeCloseTo(11 / 3, 5);
    expect(row(out, 4)[0]).toBeCloseTo(Math.log1p(4), 6);
  });

  it('matches the slow definition on adversarial data: heavy ties, shuffled input, queries between events', () => {
    const random = new Random(7);
    for (let trial = 0; trial < 20; trial++) {
      const history: Interaction[] = Array.from({ length: 60 }, () => ({
        userId: `u${random.int(4)}`,
        itemId: `i${random.int(5)}`,
        value: 1 + random.int(5),
        time: random.int(6) * DAY, // six distinct instants for sixty events
      }));
      const queries = [
        ...history,
        ...Array.from({ length: 20 }, () => ({ userId: `u${random.int(5)}`, itemId: `i${random.int(6)}`, time: random.int(14) * (DAY / 2) })),
      ];
      random.shuffle(history);
      const out = computeAggregates(history, queries, OPTIONS);
      for (const [q, query] of queries.entries()) {
        const expected = reference(history, query);
        const actual = row(out, q);
        for (let c = 0; c < expected.length; c++) {
          if (Number.isNaN(expected[c])) expect(actual[c]).toBeNaN();
          else expect(actual[c]).toBeCloseTo(expected[c]!, 4);
        }
      }
    }
  });

  it('answers queries in their input order, whatever their time order', () => {
    const history: Interaction[] = [{ userId: 'u', itemId: 'a', value: 5, time: 1 }];
    const out = computeAggregates(history, [{ userId: 'u', itemId: 'a', time: 2 }, { userId: 'u', itemId: 'a', time: 0 }], OPTIONS);
    expect(row(out, 0)[0]).toBeCloseTo(Math.log1p(1), 6);
    expect(row(out, 1)[0]).toBe(0);
  });

  it('describes an entity without history as count 0 and undefined (NaN) statistics', () => {
    expect(row(unknownAggregates(), 0)).toEqual([0, NaN, NaN, NaN, 0, NaN, NaN, NaN]);
    expect(() => computeAggregates([{ userId: 'u', itemId: 'a', value: 1, time: NaN }], [], OPTIONS)).toThrow(/time/);
  });
});
