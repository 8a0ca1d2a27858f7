/**
 * Exact inner-product top-k over one published item version's vectors, held in memory.
 *
 * Why not the HNSW index for recommendation candidates: the retrieval head's user queries rank
 * items largely by vector norm (synthesized item norms run from 1.6 at the 10th percentile to 5.7
 * at the top), and the norm-equalized inner-product graph then needs ef_search 800 for recall@10
 * >= 0.95. That scan was four fifths of the database time of a recommendation (`npm run bench --
 * serve`, statement log). A published version never changes, so its vectors can be searched here
 * instead: exactly (recall 1), with no round trip.
 *
 * A plain scan costs n x d multiply-adds per query. The vectors are stored rotated into the
 * eigenbasis of their second moment, where the first few coordinates carry nearly all of their
 * energy (97% in 5 of 32 on 100k synthesized item vectors; the first pass reads 8, a multiple of
 * 4). A query first takes the inner product over those leading coordinates; by Cauchy-Schwarz,
 * that plus |q_rest| * |x_rest| bounds the full score, and only the rows whose bound can still
 * beat the k-th best get their remaining coordinates (2.6% of rows there). Rotation preserves
 * inner products, so the answer is the exact one.
 */
import { symmetricEigen } from './symmetricEigen.ts';
import { TopK } from '../metrics/TopK.ts';

export interface VectorRow {
  readonly entityKey: string;
  readonly vector: ArrayLike<number>;
}

export interface InnerProductMatch {
  readonly entityKey: string;
  /** The negative inner product, as pgvector's `<#>` reports it: smaller is nearer. */
  readonly distance: number;
}

/** Share of the vectors' energy the leading coordinates must carry. */
const LEADING_ENERGY = 0.97;
/** Rows the second moment is estimated from: more changes the basis, not the exactness. */
const MOMENT_SAMPLE = 20_000;

export class ExactInnerProductIndex {
  readonly dimension: number;
  /** How many leading rotated coordinates the first pass reads. */
  readonly leading: number;
  readonly #keys: string[];
  readonly #rowOf: Map<string, number>;
  /** Row-major, rotated (row r is x_r V), split after the leading coordinates: the first pass reads only the compact leading part. */
  readonly #leadingPart: Float32Array;
  readonly #restPart: Float32Array;
  /** |x_r| over the coordinates after the leading ones. */
  readonly #restNorms: Float32Array;
  /** Column-major eigenvectors (d x d). */
  readonly #basis: Float64Array;
  readonly #partial: Float64Array;
  readonly #skip: Uint8Array;

  constructor(dimension: number, rows: readonly VectorRow[]) {
    rows.forEach((row) => {
      if (row.vector.length !== dimension) throw new RangeError(`entity ${row.entityKey}: vector of ${row.vector.length} dimensions, expected ${dimension}`);
    });
    const eigen = symmetricEigen(secondMoment(rows, dimension), dimension);
    this.dimension = dimension;
    this.leading = leadingCount(eigen.values);
    this.#basis = eigen.vectors;
    this.#keys = rows.map((row) => row.entityKey);
    this.#rowOf = new Map(rows.map((row, r) => [row.entityKey, r]));
    const rest = dimension - this.leading;
    this.#leadingPart = new Float32Array(rows.length * this.leading);
    this.#restPart = new Float32Array(rows.length * rest);
    this.#restNorms = new Float32Array(rows.length);
    rows.forEach((row, r) => {
      const rotated = this.#rotate(row.vector);
      this.#leadingPart.set(rotated.subarray(0, this.leading), r * this.leading);
      this.#restPart.set(rotated.subarray(this.leading), r * rest);
      this.#restNorms[r] = Math.sqrt(rotated.subarray(this.leading).reduce((sum, x) => sum + x * x, 0));
    });
    this.#partial = new Float64Array(rows.length);
    this.#skip = new Uint8Array(rows.length);
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The k largest inner products with `query`, nearest first, never returning `excludeKeys`. */
  search(query: ArrayLike<number>, k: number, excludeKeys: readonly string[] = []): InnerProductMatch[] {
    if (query.length !== this.dimension) throw new RangeError(`the query vector has ${query.length} dimensions; the index has ${this.dimension}`);
    const q = this.#rotate(query);
    const skip = this.#skip;
    const excluded = excludeKeys.map((key) => this.#rowOf.get(key)).filter((row): row is number => row !== undefined);
    for (const row of excluded) skip[row] = 1;
    const seeded: number[] = [];
    try {
      const best = new TopK(k);
      // The rows best on the leading coordinates are scored first, so the bound prunes from the start.
      for (const { id } of this.#leadingPass(q, k).sorted()) {
        best.offer(id, this.#finish(id, q));
        skip[id] = 1;
        seeded.push(id);
      }
      this.#boundedPass(q, best);
      return best.sorted().map(({ id, score }) => ({ entityKey: this.#keys[id]!, distance: -score }));
    } finally {
      for (const row of excluded) skip[row] = 0;
      for (const row of seeded) skip[row] = 0;
    }
  }

  /** Inner products over the leading coordinates into #partial; the k best of them seed the search. */
  #leadingPass(q: Float64Array, k: number): TopK {
    // Locals, not fields, inside the loops: this is the whole cost of a search.
    const leading = this.leading;
    const leadingPart = this.#leadingPart;
    const partial = this.#partial;
    const skip = this.#skip;
    const rows = this.#keys.length;
    const seeds = new TopK(k);
    let threshold = -Infinity;
    for (let r = 0, offset = 0; r < rows; r++, offset += leading) {
      let dot = 0;
      // Four at a time (leading is a multiple of 4): V8 runs a short loop of unknown length at half speed.
      for (let j = 0; j < leading; j += 4) {
        dot += leadingPart[offset + j]! * q[j]! + leadingPart[offset + j + 1]! * q[j + 1]! + leadingPart[offset + j + 2]! * q[j + 2]! + leadingPart[offset + j + 3]! * q[j + 3]!;
      }
      partial[r] = dot;
      if (dot > threshold && skip[r] === 0) {
        seeds.offer(r, dot);
        if (seeds.full) threshold = seeds.threshold;
      }
    }
    return seeds;
  }

  /** Every row whose bound can beat the k-th best so far gets its full score. */
  #boundedPass(q: Float64Array, best: TopK): void {
    let queryRest = 0;
    for (let j = this.leading; j < this.dimension; j++) queryRest += q[j]! * q[j]!;
    queryRest = Math.sqrt(queryRest);
    const partial = this.#partial;
    const restNorms = this.#restNorms;
    const skip = this.#skip;
    const rows = this.#keys.length;
    let threshold = best.full ? best.threshold : -Infinity;
    for (let r = 0; r < rows; r++) {
      if (partial[r]! + queryRest * restNorms[r]! <= threshold || skip[r] === 1) continue;
      best.offer(r, this.#finish(r, q));
      if (best.full) threshold = best.threshold;
    }
  }

  /** The full inner product of row r: its leading part plus the remaining coordinates. */
  #finish(r: number, q: Float64Array): number {
    const leading = this.leading;
    const rest = this.dimension - leading;
    const restPart = this.#restPart;
    let dot = this.#partial[r]!;
    for (let j = 0, offset = r * rest; j < rest; j++) dot += restPart[offset + j]! * q[leading + j]!;
    return dot;
  }

  #rotate(vector: ArrayLike<number>): Float64Array {
    const d = this.dimension;
    const out = new Float64Array(d);
    for (let c = 0; c < d; c++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += vector[i]! * this.#basis[i * d + c]!;
      out[c] = sum;
    }
    return out;
  }
}

/** E[x x^T] over an evenly spaced sample of the rows, d x d row-major. */
function secondMoment(rows: readonly VectorRow[], d: number): Float64Array {
  const moment = new Float64Array(d * d);
  const stride = Math.max(1, Math.floor(rows.length / MOMENT_SAMPLE));
  let count = 0;
  for (let r = 0; r < rows.length; r += stride, count++) {
    const x = rows[r]!.vector;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) moment[i * d + j]! += x[i]! * x[j]!;
  }
  return moment.map((value) => value / Math.max(1, count));
}

/** The fewest leading coordinates carrying LEADING_ENERGY, rounded up to a multiple of 4 (the first pass reads four at a time), at most d when d is one. */
function leadingCount(eigenvalues: Float64Array): number {
  const d = eigenvalues.length;
  const total = eigenvalues.reduce((sum, value) => sum + Math.max(0, value), 0);
  let count = d;
  let cumulative = 0;
  for (let c = 0; c < d; c++) {
    cumulative += Math.max(0, eigenvalues[c]!);
    if (cumulative >= LEADING_ENERGY * total) {
      count = c + 1;
      break;
    }
  }
  return Math.min(d - (d % 4), Math.ceil(count / 4) * 4);
}
