import { describe, expect, it } from 'vitest';
import { splitStrictColdItems, type LibraryEvent } from '../../../../ml/data/splits/citeulikeStrictCold.ts';
import { Random } from '../../../../store/demo/random.ts';

function libraries(): LibraryEvent[] {
  const random = new Random(11);
  const events: LibraryEvent[] = [];
  for (let u = 0; u < 40; u++) {
    const items = new Set<number>();
    while (items.size < 10) items.add(random.int(100));
    for (const item of items) events.push({ userId: `u${u}`, itemId: `i${item}` });
  }
  return events;
}

describe('CiteULike strict item cold start', () => {
  const events = libraries();
  const catalogue = Array.from({ length: 100 }, (_, i) => `i${i}`);
  const split = splitStrictColdItems(events, { seed: 42, items: catalogue });

  it('holds out 20% of the items, none of which appears in training', () => {
    expect(split.coldItems).toHaveLength(20);
    expect(split.trainItems).toHaveLength(80);
    const cold = new Set(split.coldItems);
    expect(split.train.some((event) => cold.has(event.itemId))).toBe(false);
    expect(split.test.every((event) => cold.has(event.itemId))).toBe(true);
    expect(split.train.length + split.test.length).toBe(events.length);
  });

  it("lists each user's training library and held-out (relevant) items", () => {
    expect(split.users).toHaveLength(40);
    const cold = new Set(split.coldItems);
    for (const user of split.users) {
      const saved = events.filter((event) => event.userId === user.userId).map((event) => event.itemId);
      expect([...user.trainItems, ...user.coldItems].sort()).toEqual([...saved].sort());
      expect(user.coldItems.every((item) => cold.has(item))).toBe(true);
      expect(user.trainItems.some((item) => cold.has(item))).toBe(false);
    }
  });

  it('is deterministic by seed and independent of event order', () => {
    const again = splitStrictColdItems(new Random(2).shuffle([...events]), { seed: 42, items: catalogue });
    expect(again.coldItems).toEqual(split.coldItems);
    expect(splitStrictColdItems(events, { seed: 7, items: catalogue }).coldItems).not.toEqual(split.coldItems);
    // Without a catalogue, items come from the events.
    const fromEvents = splitStrictColdItems(events, { seed: 42 });
    expect(fromEvents.coldItems.length + fromEvents.trainItems.length).toBe(new Set(events.map((event) => event.itemId)).size);
    expect(() => splitStrictColdItems(events, { items: ['i0'] })).toThrow(/not in the given items/);
  });
});
