/**
 * What a model trained on the store predicts, and the labels that follow from events.
 * Binary: an event is positive when its type is one of `positiveTypes`, or it is a rating of at
 * least `ratingThreshold`; every other event is an explicit negative (a view that led to
 * nothing, a low rating). Where data has few negatives (implicit feedback such as saves),
 * `negativeSamples` unobserved items per positive are drawn as negatives.
 * Regression: the event's value, for events of `regressionType`.
 */
import { z } from 'zod';
import type { Interaction } from '../data/aggregates.ts';
import { Random } from '../../store/demo/random.ts';
import type { StoredEvent } from '../../store/sql/readEvents.ts';

export const TargetSchema = z.discriminatedUnion('task', [
  z.strictObject({
    task: z.literal('binary'),
    positiveTypes: z.array(z.string()).default(['click', 'purchase', 'save', 'like', 'add_to_cart']),
    ratingType: z.string().default('rating'),
    ratingThreshold: z.number().default(4),
    /** Sampled unobserved items per positive; absent: 4 when the events hold no negatives, else 0. */
    negativeSamples: z.number().int().min(0).max(100).optional(),
  }),
  z.strictObject({ task: z.literal('regression'), regressionType: z.string().default('rating') }),
]);

export type Target = z.infer<typeof TargetSchema>;
export const DEFAULT_TARGET: Target = TargetSchema.parse({ task: 'binary' });

/** The events a target learns from, as interactions whose value is the label (or the rating). */
export function labelEvents(events: readonly StoredEvent[], target: Target): Interaction[] {
  if (target.task === 'regression') {
    return events.filter((event) => event.type === target.regressionType).map(({ userId, itemId, value, time }) => ({ userId, itemId, value, time }));
  }
  return events.map(({ userId, itemId, type, value, time }) => ({
    userId,
    itemId,
    time,
    value: target.positiveTypes.includes(type) || (type === target.ratingType && value >= target.ratingThreshold) ? 1 : 0,
  }));
}

export function negativeSamplesFor(target: Target, labelled: readonly Interaction[]): number {
  if (target.task !== 'binary') return 0;
  if (target.negativeSamples !== undefined) return target.negativeSamples;
  return labelled.some((event) => event.value === 0) ? 0 : 4;
}

/**
 * For each positive, `count` items drawn uniformly from `items` that the user never interacted
 * with, as negatives at the positive's time. Seeded: the same inputs give the same samples.
 */
export function sampleNegatives(positives: readonly Interaction[], allEvents: readonly Interaction[], items: readonly string[], count: number, seed: number): Interaction[] {
  return sampleNegativeGroups(positives, allEvents, items, count, seed).flatMap((group) => group.slice(1));
}

/**
 * The same draws as sampleNegatives, kept beside their positive: one group [positive, its
 * `count` negatives] per positive, the rows a ranking loss compares (ExampleSet.groupSize =
 * 1 + count). Positives whose user interacted with every item have no negatives and no group.
 */
export function sampleNegativeGroups(positives: readonly Interaction[], allEvents: readonly Interaction[], items: readonly string[], count: number, seed: number): Interaction[][] {
  if (count === 0 || items.length === 0) return [];
  const random = new Random(seed);
  const seen = new Map<string, Set<string>>();
  for (const event of allEvents) {
    let set = seen.get(event.userId);
    if (!set) seen.set(event.userId, (set = new Set()));
    set.add(event.itemId);
  }
  const groups: Interaction[][] = [];
  for (const positive of positives) {
    if (positive.value !== 1) continue;
    const userItems = seen.get(positive.userId);
    if (userItems && userItems.size >= items.length) continue;
    const group = [positive];
    for (let drawn = 0; drawn < count; ) {
      const itemId = items[random.int(items.length)]!;
      if (userItems?.has(itemId)) continue;
      group.push({ userId: positive.userId, itemId, value: 0, time: positive.time });
      drawn++;
    }
    groups.push(group);
  }
  return groups;
}
