/**
 * Point-in-time behavioural aggregates: what the store knew about a user and an item at the
 * moment of an example, computed from STRICTLY EARLIER events only. An event never sees itself,
 * and events that share a timestamp never see each other (their order within that instant is
 * unknowable, so seeing one would leak).
 *
 * One pass over time: history events and queries are sorted by time, and before answering the
 * queries at time t the pass folds in every history event with time < t. O((E + Q) log(E + Q)).
 *
 * Values are raw (counts as log1p, days as log1p); NaN means "undefined" (a mean over no
 * events, days since a previous event that does not exist). Standardize them with a Standardizer
 * fitted on the training examples, which maps NaN to 0.
 */

export interface Interaction {
  readonly userId: string;
  readonly itemId: string;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

export interface AggregateQuery {
  readonly userId: string;
  readonly itemId: string;
  readonly time: number;
}

/**
 * 'pair' columns describe the (user, item) pair from content and the user's history (e.g. the
 * similarity of the item's text to the user's library): they exist for cold items too, so
 * original-feature dropout leaves them alone.
 */
export type AggregateSide = 'user' | 'item' | 'pair';

export interface AggregateSpec {
  readonly name: string;
  /** Whose history it describes: original-feature dropout hides one side's aggregates. */
  readonly side: AggregateSide;
}

export const AGGREGATES: readonly AggregateSpec[] = [
  { name: 'user_log1p_count', side: 'user' },
  { name: 'user_mean_value', side: 'user' },
  { name: 'user_positive_rate', side: 'user' },
  { name: 'user_log1p_days_since_previous', side: 'user' },
  { name: 'item_log1p_count', side: 'item' },
  { name: 'item_mean_value', side: 'item' },
  { name: 'item_positive_rate', side: 'item' },
  { name: 'item_log1p_days_since_first', side: 'item' },
];

export const AGGREGATE_NAMES: readonly string[] = AGGREGATES.map((spec) => spec.name);

export interface AggregateOptions {
  /** An event is positive when value >= positiveThreshold (4 for MovieLens ratings, 1 for saves). */
  readonly positiveThreshold: number;
}

const DAY_MS = 86_400_000;

/** What one side's history adds up to at a moment; exported for serving, which reads it from SQL. */
export interface SideState {
  count: number;
  sum: number;
  positives: number;
  /** The user's latest event time, or the item's first event time. */
  time: number;
}

/**
 * The aggregates of each query (row q of the [Q, AGGREGATES.length] result) given the history.
 * Queries may be history events themselves (training examples) or later rows (evaluation).
 */
export function computeAggregates(
  history: readonly Interaction[],
  queries: readonly AggregateQuery[],
  options: AggregateOptions,
): Float32Array {
  const width = AGGREGATES.length;
  const out = new Float32Array(queries.length * width);
  const users = new Map<string, SideState>();
  const items = new Map<string, SideState>();
  const historyOrder = sortedByTime(history);
  const queryOrder = sortedByTime(queries);
  let next = 0;
  for (let k = 0; k < queryOrder.length; k++) {
    const q = queryOrder[k]!;
    const query = queries[q]!;
    // Fold in everything strictly before this query's time; same-time events stay out.
    while (next < historyOrder.length && history[historyOrder[next]!]!.time < query.time) {
      const event = history[historyOrder[next++]!]!;
      const positive = event.value >= options.positiveThreshold ? 1 : 0;
      const user = users.get(event.userId);
      if (user) {
        user.count++;
        user.sum += event.value;
        user.positives += positive;
        user.time = Math.max(user.time, event.time);
      } else {
        users.set(event.userId, { count: 1, sum: event.value, positives: positive, time: event.time });
      }
      const item = items.get(event.itemId);
      if (item) {
        item.count++;
        item.sum += event.value;
        item.positives += positive;
      } else {
        items.set(event.itemId, { count: 1, sum: event.value, positives: positive, time: event.time });
      }
    }
    aggregatesAt(users.get(query.userId), items.get(query.itemId), query.time, out, q);
  }
  return out;
}

/** The raw aggregates of one side with no history: what a cold (or dropped-out) entity shows. */
export function unknownAggregates(): Float32Array {
  const out = new Float32Array(AGGREGATES.length);
  writeSide(out, 0, undefined, Number.NaN);
  writeSide(out, 4, undefined, Number.NaN);
  return out;
}

/**
 * The raw aggregates of one (user, item) pair at time `now` from the sides' histories (undefined:
 * no history), exactly as computeAggregates would give them: serving reads the states from SQL.
 */
export function aggregatesAt(user: SideState | undefined, item: SideState | undefined, now: number, out = new Float32Array(AGGREGATES.length), row = 0): Float32Array {
  const offset = row * AGGREGATES.length;
  writeSide(out, offset, user, user ? (now - user.time) / DAY_MS : Number.NaN);
  writeSide(out, offset + 4, item, item ? (now - item.time) / DAY_MS : Number.NaN);
  return out;
}

function writeSide(out: Float32Array, offset: number, state: SideState | undefined, days: number): void {
  out[offset] = Math.log1p(state?.count ?? 0);
  out[offset + 1] = state ? state.sum / state.count : Number.NaN;
  out[offset + 2] = state ? state.positives / state.count : Number.NaN;
  out[offset + 3] = state ? Math.log1p(days) : Number.NaN;
}

/** Indices of `rows` in ascending time order (stable: ties keep their input order). */
function sortedByTime(rows: readonly { readonly time: number }[]): Int32Array {
  const order = new Int32Array(rows.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  for (const [i, row] of rows.entries()) {
    if (!Number.isFinite(row.time)) throw new RangeError(`row ${i} has no valid time: ${row.time}`);
  }
  return order.sort((a, b) => rows[a]!.time - rows[b]!.time || a - b);
}
