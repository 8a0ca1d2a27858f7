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
 * A search is a full scan, every row scored (InnerProductScan: WebAssembly SIMD, 16 rows at a
 * time), then a top-k over the n scores that passes over a group of 16 rows in one comparison
 * when the group's best (which the scan reports) cannot beat the k-th best so far.
 *
 * Why a full scan: the index used to rotate the vectors into the eigenbasis of their second
 * moment, score only the leading coordinates of every row in JS and prune the rest with a
 * Cauchy-Schwarz bound. That was fast only when the query lay in the items' principal subspace:
 * on a model whose user queries lie outside it, the bound pruned ~29% of rows and a query cost
 * 10-13 ms of CPU (1.8 ms aligned). The SIMD scan costs the same whatever the alignment, and less
 * than the pruned scan did at its best: on 100k x 32 synthetic vectors with a dominant 5-d
 * subspace, k = 100, 0.6-0.7 ms per query for aligned, random Gaussian and orthogonal queries
 * alike, against 1.8, 1.9 and 5.2 ms for the pruned scan on the same data and machine (the scan
 * itself 0.2-0.5 ms, depending on what else runs on the machine; the plain JS fallback ~7 ms).
 *
 * Scores are float32 accumulations (as pgvector's `<#>` computes them), so the ranking is the
 * float64 one except among scores within float32 rounding of each other.
 */
import { TopK } from '../metrics/TopK.ts';
import { createInnerProductScan, GROUP_ROWS, type InnerProductScan, type InnerProductScanFactory, type ScanScores } from './InnerProductScan.ts';

export interface VectorRow {
  readonly entityKey: string;
  readonly vector: ArrayLike<number>;
}

export interface InnerProductMatch {
  readonly entityKey: string;
  /** The negative inner product, as pgvector's `<#>` reports it: smaller is nearer. */
  readonly distance: number;
}

export class ExactInnerProductIndex {
  readonly dimension: number;
  readonly #keys: string[];
  readonly #rowOf: Map<string, number>;
  readonly #scan: InnerProductScan;

  /** `createScan` is for tests of the fallback: the default picks the fastest scan the runtime supports. */
  constructor(dimension: number, rows: readonly VectorRow[], createScan: InnerProductScanFactory = createInnerProductScan) {
    if (!Number.isInteger(dimension) || dimension < 1) throw new RangeError(`the dimension must be a positive integer, got ${dimension}`);
    rows.forEach((row) => {
      if (row.vector.length !== dimension) throw new RangeError(`entity ${row.entityKey}: vector of ${row.vector.length} dimensions, expected ${dimension}`);
    });
    this.dimension = dimension;
    this.#keys = rows.map((row) => row.entityKey);
    this.#rowOf = new Map(rows.map((row, r) => [row.entityKey, r]));
    this.#scan = createScan(dimension, rows.map((row) => row.vector));
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The k largest inner products with `query`, nearest first, never returning `excludeKeys`. */
  search(query: ArrayLike<number>, k: number, excludeKeys: readonly string[] = []): InnerProductMatch[] {
    if (query.length !== this.dimension) throw new RangeError(`the query vector has ${query.length} dimensions; the index has ${this.dimension}`);
    const best = new TopK(k);
    const excluded = new Set(excludeKeys.map((key) => this.#rowOf.get(key)).filter((row): row is number => row !== undefined));
    offerBest(this.#scan.scores(query), excluded, best);
    return best.sorted().map(({ id, score }) => ({ entityKey: this.#keys[id]!, distance: -score }));
  }

  /** A copy of an entity's vector (float32), or undefined when the index does not hold it: candidates' vectors need no second read. */
  vectorOf(entityKey: string): Float32Array | undefined {
    const row = this.#rowOf.get(entityKey);
    return row === undefined ? undefined : this.#scan.vector(row);
  }
}

/**
 * Offers `best` every row not excluded whose score can still enter it. Once it holds k rows, a
 * group whose best score is below the k-th best is passed over in one comparison, and a row of
 * the others costs one comparison unless it enters.
 */
function offerBest({ scores, groupBest }: ScanScores, excluded: ReadonlySet<number>, best: TopK): void {
  let threshold = -Infinity;
  // `>=` so that a tie with the k-th best still reaches TopK, which breaks it by row; NaN never enters.
  for (let group = 0; group < groupBest.length; group++) {
    if (!(groupBest[group]! >= threshold)) continue;
    const end = Math.min(scores.length, (group + 1) * GROUP_ROWS);
    for (let r = group * GROUP_ROWS; r < end; r++) {
      const score = scores[r]!;
      if (score >= threshold && !excluded.has(r)) {
        best.offer(r, score);
        if (best.full) threshold = best.threshold;
      }
    }
  }
}
