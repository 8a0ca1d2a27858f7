import { describe, expect, it } from 'vitest';
import {
  historyAtStage,
  protocolALabel,
  splitProtocolA,
  splitProtocolAUserCold,
  updateForStage,
  type RatingEvent,
} from '../../../../ml/data/splits/movielensProtocolA.ts';
import { Random } from '../../../../store/demo/random.ts';

/** `count` ratings of one item by distinct users, at shuffled (partly tied) times. */
function ratings(itemId: string, count: number, random: Random): RatingEvent[] {
  return Array.from({ length: count }, (_, k) => ({
    userId: `u${k}`,
    itemId,
    value: 1 + random.int(5),
    time: 1000 + random.int(count) * 60_000, // about one tie per event
  }));
}

function dataSet(): RatingEvent[] {
  const random = new Random(3);
  const events = [
    ...ratings('hot-1', 101, random),
    ...ratings('hot-2', 150, random),
    ...ratings('cold-100', 100, random),
    ...ratings('cold-45', 45, random),
    ...ratings('cold-30', 30, random),
    ...ratings('rare-29', 29, random),
    ...ratings('rare-1', 1, random),
  ];
  return random.shuffle(events);
}

describe('MovieLens protocol A', () => {
  const events = dataSet();
  const split = splitProtocolA(events);

  it('classes items by rating count: > 100 hot, 30..100 cold, < 30 excluded', () => {
    expect(split.hotItems).toEqual(['hot-1', 'hot-2']);
    expect(split.coldItems).toEqual(['cold-100', 'cold-30', 'cold-45']);
    expect(split.excludedItems).toEqual(['rare-1', 'rare-29']);
    expect(split.train).toHaveLength(251);
    expect(split.excluded).toHaveLength(30);
    expect(new Set(split.train.map((event) => event.itemId))).toEqual(new Set(['hot-1', 'hot-2']));
  });

  it('gives every cold item exactly 10 events per warm phase and the rest to test', () => {
    expect(split.warm).toHaveLength(3);
    for (const phase of split.warm) {
      expect(phase).toHaveLength(30);
      for (const item of split.coldItems) expect(phase.filter((event) => event.itemId === item)).toHaveLength(10);
    }
    const testPerItem = (item: string): number => split.test.filter((event) => event.itemId === item).length;
    expect([testPerItem('cold-100'), testPerItem('cold-45'), testPerItem('cold-30')]).toEqual([70, 15, 0]);
    const total = split.train.length + split.warm.flat().length + split.test.length + split.excluded.length;
    expect(total).toBe(events.length);
  });

  it('orders each cold item in time: warm-a <= warm-b <= warm-c <= test', () => {
    for (const item of split.coldItems) {
      const times = [...split.warm, split.test].map((part) => part.filter((event) => event.itemId === item).map((event) => event.time));
      for (let p = 1; p < times.length; p++) {
        if (times[p]!.length === 0) continue;
        expect(Math.max(...times[p - 1]!)).toBeLessThanOrEqual(Math.min(...times[p]!));
      }
    }
    for (const part of [split.train, ...split.warm, split.test]) {
      for (let k = 1; k < part.length; k++) expect(part[k]!.time).toBeGreaterThanOrEqual(part[k - 1]!.time);
    }
  });

  it('does not depend on the input order', () => {
    const again = splitProtocolA(new Random(99).shuffle([...events]));
    const key = (event: RatingEvent): string => `${event.userId}/${event.itemId}`;
    expect(again.warm.map((phase) => phase.map(key).sort())).toEqual(split.warm.map((phase) => phase.map(key).sort()));
    expect(again.test.map(key).sort()).toEqual(split.test.map(key).sort());
  });

  it('reveals history stage by stage and updates on one phase only', () => {
    expect(historyAtStage(split, 'cold')).toHaveLength(251);
    expect(historyAtStage(split, 'warm-b')).toHaveLength(251 + 60);
    expect(updateForStage(split, 'cold')).toEqual([]);
    expect(updateForStage(split, 'warm-c')).toEqual(split.warm[2]);
    expect(() => historyAtStage(split, 'hot' as never)).toThrow(/unknown protocol A stage/);
    expect([1, 3, 3.5, 4, 5].map(protocolALabel)).toEqual([0, 0, 0, 1, 1]);
  });

  it('rejects warm phases that do not fit in a cold item', () => {
    expect(() => splitProtocolA(events, { coldMin: 20 })).toThrow(/coldMin >= 30/);
  });
});

describe('MovieLens protocol A, user cold start', () => {
  const random = new Random(5);
  const events: RatingEvent[] = [];
  for (let u = 0; u < 50; u++) for (let k = 0; k < 8; k++) events.push({ userId: `u${u}`, itemId: `i${random.int(30)}`, value: 1 + random.int(5), time: random.int(1e6) });
  events.push({ userId: 'u7', itemId: 'only-u7', value: 5, time: 3 });

  it('holds out 20% of the users entirely, by seed', () => {
    const split = splitProtocolAUserCold(events, { seed: 42 });
    expect(split.coldUsers).toHaveLength(10);
    expect(split.trainUsers).toHaveLength(40);
    const cold = new Set(split.coldUsers);
    expect(split.train.some((event) => cold.has(event.userId))).toBe(false);
    expect(split.test.every((event) => cold.has(event.userId))).toBe(true);
    expect(split.train.length + split.test.length + split.excluded.length).toBe(events.length);
    const trainItems = new Set(split.train.map((event) => event.itemId));
    expect(split.test.every((event) => trainItems.has(event.itemId))).toBe(true);
    expect(split.excluded.every((event) => !trainItems.has(event.itemId))).toBe(true);
  });

  it('is deterministic by seed and independent of input order', () => {
    const a = splitProtocolAUserCold(events, { seed: 42 });
    const b = splitProtocolAUserCold(new Random(1).shuffle([...events]), { seed: 42 });
    const c = splitProtocolAUserCold(events, { seed: 43 });
    expect(b.coldUsers).toEqual(a.coldUsers);
    expect(c.coldUsers).not.toEqual(a.coldUsers);
  });
});
