/**
 * Pair features: extra original-feature columns that describe a (user, item) pair from the
 * item's content and the user's history, e.g. how similar a paper's title is to the titles in
 * the user's library. They are on-demand features in feature-store terms (computed for the pair
 * at request time) and exist for cold items too, so original-feature dropout keeps them
 * (aggregate side 'pair').
 *
 * A FeaturePipeline appends them after the point-in-time aggregates; its standardizer is fitted
 * on their values over the training events like the aggregates'.
 */
import type { AggregateSpec } from '../data/aggregates.ts';

export interface PairRow {
  readonly userId: string;
  /** May be a cold alias (FeaturePipeline.coldAlias): resolve content with `contentId`. */
  readonly itemId: string;
}

export interface PairFeatures {
  readonly names: readonly string[];
  /**
   * Row-major [rows, names] raw values (NaN = undefined). Must not read a row's label, and
   * must leave the row's own item out of the user's history, so that a training positive looks
   * like an unseen item does at test time.
   */
  compute(rows: readonly PairRow[]): Float32Array;
}

export function pairSpecs(features: PairFeatures | undefined): AggregateSpec[] {
  return (features?.names ?? []).map((name) => ({ name, side: 'pair' as const }));
}

/** Interleaves [n, a] aggregates and [n, p] pair features into [n, a + p]. */
export function appendColumns(base: Float32Array, baseWidth: number, extra: Float32Array, extraWidth: number): Float32Array {
  if (extraWidth === 0) return base;
  const n = baseWidth === 0 ? extra.length / extraWidth : base.length / baseWidth;
  if (extra.length !== n * extraWidth) throw new RangeError(`pair features: expected ${n * extraWidth} values for ${n} rows, got ${extra.length}`);
  const width = baseWidth + extraWidth;
  const out = new Float32Array(n * width);
  for (let r = 0; r < n; r++) {
    out.set(base.subarray(r * baseWidth, (r + 1) * baseWidth), r * width);
    out.set(extra.subarray(r * extraWidth, (r + 1) * extraWidth), r * width + baseWidth);
  }
  return out;
}

/** Several PairFeatures as one: their columns side by side, in the order given. */
export function concatPairFeatures(...parts: readonly PairFeatures[]): PairFeatures {
  const names = parts.flatMap((part) => part.names);
  return {
    names,
    compute(rows) {
      let out: Float32Array = new Float32Array(0);
      let width = 0;
      for (const part of parts) {
        out = appendColumns(out, width, part.compute(rows), part.names.length);
        width += part.names.length;
      }
      return out;
    },
  };
}
