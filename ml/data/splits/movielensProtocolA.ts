/**
 * MovieLens-100K evaluation protocol A (item cold start with warm-up phases), and its user
 * cold-start variant. Pure functions over arrays of events.
 *
 * Item protocol, by each item's number of ratings n:
 * - n > 100 (hot): every event is a training event.
 * - 30 <= n <= 100 (cold): the item's events sorted by time (ties by user id, then input
 *   order) go 10 to warm-a, the next 10 to warm-b, the next 10 to warm-c, the rest to test.
 *   A cold item with exactly 30 ratings thus has no test rows.
 * - n < 30: EXCLUDED from everything (neither training, warm-up, test, nor any aggregate
 *   history): too few ratings to fill the three warm phases, and not hot enough to be a
 *   training item. They are returned in `excluded` so that counts add up.
 * Label: rating >= 4 (POSITIVE_RATING). Evaluation: one global ROC-AUC over all test rows,
 * at four stages: "cold" (trained on `train` only, before any warm phase), then after
 * updating on warm-a only, then warm-b only, then warm-c only (`PROTOCOL_A_STAGES`). The test
 * rows are the same at every stage; the history the model may know at a stage (for
 * aggregates) is `train` plus the warm phases revealed so far (`historyAtStage`).
 *
 * User cold-start variant: a seeded 20% of users are held out entirely; training is every event
 * of the other users, test is every event of a held-out user on an item that occurs in
 * training (so only the user side is cold; events of held-out users on items that only they
 * rated are `excluded`).
 */
import { Random } from '../../../store/demo/random.ts';

export interface RatingEvent {
  readonly userId: string;
  readonly itemId: string;
  readonly value: number;
  readonly time: number;
}

/** A rating of at least 4 of 5 is a positive ("liked") example. */
export const POSITIVE_RATING = 4;

export function protocolALabel(value: number): 0 | 1 {
  return value >= POSITIVE_RATING ? 1 : 0;
}

export interface ProtocolAOptions {
  /** Items with MORE than this many ratings are hot; default 100. */
  readonly hotAbove?: number;
  /** Items with at least this many ratings (and not hot) are cold; default 30. */
  readonly coldMin?: number;
  /** Events per warm phase; default 10. */
  readonly warmSize?: number;
  /** Number of warm phases; default 3 (warm-a, warm-b, warm-c). */
  readonly warmPhases?: number;
}

export const PROTOCOL_A_STAGES = ['cold', 'warm-a', 'warm-b', 'warm-c'] as const;
export type ProtocolAStage = (typeof PROTOCOL_A_STAGES)[number];

export interface ProtocolASplit<E extends RatingEvent> {
  /** Every event of a hot item. */
  readonly train: E[];
  /** warm[0] = warm-a, warm[1] = warm-b, warm[2] = warm-c: each has warmSize events of every cold item. */
  readonly warm: E[][];
  /** The remaining events of cold items, evaluated at every stage. */
  readonly test: E[];
  /** Events of items with fewer than coldMin ratings, used nowhere. */
  readonly excluded: E[];
  /** Item ids of each class, sorted. */
  readonly hotItems: string[];
  readonly coldItems: string[];
  readonly excludedItems: string[];
}

export function splitProtocolA<E extends RatingEvent>(events: readonly E[], options: ProtocolAOptions = {}): ProtocolASplit<E> {
  const hotAbove = options.hotAbove ?? 100;
  const coldMin = options.coldMin ?? 30;
  const warmSize = options.warmSize ?? 10;
  const warmPhases = options.warmPhases ?? 3;
  if (!(Number.isInteger(coldMin) && Number.isInteger(hotAbove) && coldMin >= 1 && coldMin <= hotAbove)) {
    throw new RangeError(`protocol A needs integers 1 <= coldMin <= hotAbove, got coldMin ${coldMin} and hotAbove ${hotAbove}`);
  }
  if (!(Number.isInteger(warmSize) && warmSize >= 0 && Number.isInteger(warmPhases) && warmPhases >= 0)) {
    throw new RangeError(`protocol A needs non-negative integer warmSize and warmPhases, got ${warmSize} and ${warmPhases}`);
  }
  if (warmSize * warmPhases > coldMin) {
    throw new RangeError(`protocol A: ${warmPhases} warm phases of ${warmSize} events need coldMin >= ${warmSize * warmPhases}, got ${coldMin}`);
  }
  const byItem = groupBy(events, (event) => event.itemId);
  const split: ProtocolASplit<E> = {
    train: [],
    warm: Array.from({ length: warmPhases }, () => []),
    test: [],
    excluded: [],
    hotItems: [],
    coldItems: [],
    excludedItems: [],
  };
  for (const itemId of [...byItem.keys()].sort()) {
    const itemEvents = byItem.get(itemId)!;
    if (itemEvents.length > hotAbove) {
      split.hotItems.push(itemId);
      split.train.push(...itemEvents);
    } else if (itemEvents.length >= coldMin) {
      split.coldItems.push(itemId);
      const ordered = sortedByTimeThenUser(itemEvents);
      for (let phase = 0; phase < warmPhases; phase++) split.warm[phase]!.push(...ordered.slice(phase * warmSize, (phase + 1) * warmSize));
      split.test.push(...ordered.slice(warmPhases * warmSize));
    } else {
      split.excludedItems.push(itemId);
      split.excluded.push(...itemEvents);
    }
  }
  for (const part of [split.train, ...split.warm, split.test, split.excluded]) sortByTime(part);
  return split;
}

/** The events a model may know at a stage: train, plus warm phases up to and including it. */
export function historyAtStage<E extends RatingEvent>(split: ProtocolASplit<E>, stage: ProtocolAStage): E[] {
  const revealed = PROTOCOL_A_STAGES.indexOf(stage);
  if (revealed < 0) throw new RangeError(`unknown protocol A stage "${stage}": expected one of ${PROTOCOL_A_STAGES.join(', ')}`);
  return sortByTime([...split.train, ...split.warm.slice(0, revealed).flat()]);
}

/** The events to update on when entering a stage: nothing for "cold", else that phase only. */
export function updateForStage<E extends RatingEvent>(split: ProtocolASplit<E>, stage: ProtocolAStage): E[] {
  const phase = PROTOCOL_A_STAGES.indexOf(stage);
  if (phase < 0) throw new RangeError(`unknown protocol A stage "${stage}": expected one of ${PROTOCOL_A_STAGES.join(', ')}`);
  return phase === 0 ? [] : [...(split.warm[phase - 1] ?? [])];
}

export interface UserColdOptions {
  /** Default 42. */
  readonly seed?: number;
  /** Share of users held out; default 0.2 (rounded to the nearest whole user). */
  readonly coldShare?: number;
}

export interface UserColdSplit<E extends RatingEvent> {
  /** Every event of a kept user. */
  readonly train: E[];
  /** Events of held-out users on items that occur in train. */
  readonly test: E[];
  /** Events of held-out users on items that never occur in train. */
  readonly excluded: E[];
  /** Sorted user ids. */
  readonly trainUsers: string[];
  readonly coldUsers: string[];
}

export function splitProtocolAUserCold<E extends RatingEvent>(events: readonly E[], options: UserColdOptions = {}): UserColdSplit<E> {
  const seed = options.seed ?? 42;
  const coldShare = options.coldShare ?? 0.2;
  if (!(coldShare >= 0 && coldShare <= 1)) throw new RangeError(`coldShare must be between 0 and 1, got ${coldShare}`);
  const users = [...new Set(events.map((event) => event.userId))].sort();
  // Shuffle the sorted ids: the held-out set depends on the seed and the set of users only.
  const shuffled = new Random(seed).shuffle([...users]);
  const cold = new Set(shuffled.slice(0, Math.round(coldShare * users.length)));
  const train = events.filter((event) => !cold.has(event.userId));
  const trainItems = new Set(train.map((event) => event.itemId));
  const test: E[] = [];
  const excluded: E[] = [];
  for (const event of events) {
    if (!cold.has(event.userId)) continue;
    (trainItems.has(event.itemId) ? test : excluded).push(event);
  }
  return {
    train: sortByTime(train),
    test: sortByTime(test),
    excluded: sortByTime(excluded),
    trainUsers: users.filter((user) => !cold.has(user)),
    coldUsers: users.filter((user) => cold.has(user)),
  };
}

function groupBy<E>(events: readonly E[], key: (event: E) => string): Map<string, E[]> {
  const groups = new Map<string, E[]>();
  for (const event of events) {
    const k = key(event);
    const group = groups.get(k);
    if (group) group.push(event);
    else groups.set(k, [event]);
  }
  return groups;
}

function sortedByTimeThenUser<E extends RatingEvent>(events: readonly E[]): E[] {
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.time - b.event.time || compare(a.event.userId, b.event.userId) || a.index - b.index)
    .map(({ event }) => event);
}

/** Sorts in place by time; Array.prototype.sort is stable, so ties keep their order. */
function sortByTime<E extends RatingEvent>(events: E[]): E[] {
  return events.sort((a, b) => a.time - b.time);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
