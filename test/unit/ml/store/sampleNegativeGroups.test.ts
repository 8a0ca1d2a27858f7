import { describe, expect, it } from 'vitest';
import type { Interaction } from '../../../../ml/data/aggregates.ts';
import { sampleNegativeGroups, sampleNegatives } from '../../../../ml/store/TrainingTarget.ts';

const EVENTS: Interaction[] = [
  { userId: 'u1', itemId: 'a', value: 1, time: 1 },
  { userId: 'u1', itemId: 'b', value: 0, time: 2 },
  { userId: 'u2', itemId: 'b', value: 1, time: 3 },
  { userId: 'u3', itemId: 'a', value: 1, time: 4 },
  { userId: 'u3', itemId: 'b', value: 1, time: 5 },
  { userId: 'u3', itemId: 'c', value: 1, time: 6 },
  { userId: 'u3', itemId: 'd', value: 1, time: 7 },
];
const ITEMS = ['a', 'b', 'c', 'd'];

describe('sampleNegativeGroups', () => {
  it('keeps each positive first, followed by its negatives: the draws of sampleNegatives', () => {
    const groups = sampleNegativeGroups(EVENTS, EVENTS, ITEMS, 2, 7);
    // u1's explicit negative is no group; u3 saw every item and has no negatives to draw.
    expect(groups.map((group) => group[0])).toEqual([EVENTS[0], EVENTS[2]]);
    for (const group of groups) {
      expect(group).toHaveLength(3);
      const [positive, ...negatives] = group;
      const seen = new Set(EVENTS.filter((event) => event.userId === positive!.userId).map((event) => event.itemId));
      for (const negative of negatives) {
        expect(negative).toMatchObject({ userId: positive!.userId, value: 0, time: positive!.time });
        expect(seen.has(negative.itemId)).toBe(false);
      }
    }
    expect(groups.flatMap((group) => group.slice(1))).toEqual(sampleNegatives(EVENTS, EVENTS, ITEMS, 2, 7));
    expect(sampleNegativeGroups(EVENTS, EVENTS, ITEMS, 0, 7)).toEqual([]);
  });
});
