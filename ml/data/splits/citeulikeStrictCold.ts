/**
 * CiteULike-a strict item cold start. A seeded 20% of the items are held out: none of their
 * events is ever used for training (not as examples, not in aggregates, not in any
 * vocabulary). Each user with at least one held-out item is then evaluated by ranking ALL
 * held-out items (not only the ones the user saved) and measuring Recall@20 and NDCG@20 of
 * the user's held-out items; a user without held-out items has nothing to retrieve and is
 * skipped by the ranking metrics.
 *
 * Cold-item content is the title only: item "tags" are given by the users who saved an
 * article, i.e. interaction data, so a tags variant may be reported separately but never as
 * cold-start content (exclude the field in the EntityEncoder).
 */
import { Random } from '../../../store/demo/random.ts';

export interface LibraryEvent {
  readonly userId: string;
  readonly itemId: string;
}

export interface StrictColdOptions {
  /** Default 42. */
  readonly seed?: number;
  /** Share of items held out; default 0.2 (rounded to the nearest whole item). */
  readonly coldShare?: number;
  /**
   * Every item of the catalogue, when some have no events; default: the items of `events`.
   * Held-out items are drawn from this set, and all of them are ranking candidates.
   */
  readonly items?: readonly string[];
}

export interface UserLibrary {
  readonly userId: string;
  /** The user's training items (the library the model may know). */
  readonly trainItems: string[];
  /** The user's held-out items: the relevant ones when ranking all cold items. */
  readonly coldItems: string[];
}

export interface StrictColdSplit<E extends LibraryEvent> {
  /** Events on training items. */
  readonly train: E[];
  /** Events on held-out items (the relevance judgements). */
  readonly test: E[];
  /** Sorted item ids. */
  readonly trainItems: string[];
  /** Sorted held-out item ids: the candidate set ranked for every user. */
  readonly coldItems: string[];
  /** Every user of `events`, sorted by id. */
  readonly users: UserLibrary[];
}

export function splitStrictColdItems<E extends LibraryEvent>(events: readonly E[], options: StrictColdOptions = {}): StrictColdSplit<E> {
  const seed = options.seed ?? 42;
  const coldShare = options.coldShare ?? 0.2;
  if (!(coldShare >= 0 && coldShare <= 1)) throw new RangeError(`coldShare must be between 0 and 1, got ${coldShare}`);
  const catalogue = [...new Set(options.items ?? events.map((event) => event.itemId))].sort(compare);
  if (options.items) {
    const known = new Set(catalogue);
    const stray = events.find((event) => !known.has(event.itemId));
    if (stray) throw new RangeError(`event item "${stray.itemId}" is not in the given items`);
  }
  // Shuffle the sorted ids: the held-out set depends on the seed and the catalogue only.
  const shuffled = new Random(seed).shuffle([...catalogue]);
  const cold = new Set(shuffled.slice(0, Math.round(coldShare * catalogue.length)));
  const train: E[] = [];
  const test: E[] = [];
  const libraries = new Map<string, { train: Set<string>; cold: Set<string> }>();
  for (const event of events) {
    const isCold = cold.has(event.itemId);
    (isCold ? test : train).push(event);
    let library = libraries.get(event.userId);
    if (!library) libraries.set(event.userId, (library = { train: new Set(), cold: new Set() }));
    (isCold ? library.cold : library.train).add(event.itemId);
  }
  return {
    train,
    test,
    trainItems: catalogue.filter((item) => !cold.has(item)),
    coldItems: catalogue.filter((item) => cold.has(item)),
    users: [...libraries.keys()].sort(compare).map((userId) => {
      const library = libraries.get(userId)!;
      return { userId, trainItems: [...library.train].sort(compare), coldItems: [...library.cold].sort(compare) };
    }),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
