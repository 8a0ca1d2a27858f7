/**
 * A hand-assembled WebAssembly SIMD kernel for one query's inner products with many vectors:
 *
 *   for each group g of GROUP_ROWS vectors:  scores[16g .. 16g+15] = X_g · q
 *                                             best[g] = max(scores[16g .. 16g+15])
 *
 * The vectors are stored in groups of 16 interleaved by coordinate: group g is the [d, 16]
 * matrix whose column c is vector 16g + c, so a group is one contiguous run of 16·d floats. The
 * query comes pre-splatted (coordinate j as four equal lanes, 16 bytes each). Per coordinate the
 * loop loads q_j once and does four f32x4 multiply-adds into four accumulators, 16 rows at once.
 * Each group's best score lets a top-k skip the whole group with one comparison when it cannot
 * enter (most groups, once the k-th best is high), instead of one comparison per score.
 *
 * Why not simdBmm, which can express the same scan (a batch of q[1, d] · block[d, 4] products):
 * it splats A one scalar at a time and keeps one accumulator per 4 columns, so every 4
 * multiply-adds pay a scalar load, a splat and the loop's bookkeeping. On 100k x 32 vectors that
 * took 3.7 ns per vector against 1.9 here on an idle machine, 5.6-6.2 against 4.5-4.8 with other
 * work running (repeated microbenchmarks, Node 24).
 *
 * Scores are float32, accumulated in coordinate order. All pointers are in bytes; groups >= 1
 * and d >= 1 (the loops test at their end).
 */
import {
  add, brIf, end, f32max, f32store, f32x4add, f32x4extractLane, f32x4max, f32x4mul, functionBody, get, I32, i32const,
  incBy, loop, ltS, ltU, mul, set, singleFunctionKernel, singleFunctionModule, V128, v128load, v128store, v128zero, type WasmMemory,
} from './wasmAssembly.ts';

/** Vectors per group: four f32x4 accumulators of four lanes. */
export const GROUP_ROWS = 16;
const ACCUMULATORS = GROUP_ROWS / 4;
const LANE_BYTES = 16;

// Parameters of scan (all i32), then i32 locals, then v128 locals.
const P = { query: 0, rows: 1, scores: 2, best: 3, d: 4, groups: 5 } as const;
const PARAMS = 6;
const L = { g: 6, qp: 7, qEnd: 8, xp: 9, sp: 10, bp: 11, qv: 12, acc: 13 } as const;
const I32_LOCALS = 6;

/** `acc[a] += qv * x[xp + 16a]` for each accumulator. */
function multiplyAddAll(): number[] {
  return Array.from({ length: ACCUMULATORS }, (_, a) => [
    ...get(L.acc + a), ...get(L.qv), ...get(L.xp), ...v128load(LANE_BYTES * a), ...f32x4mul, ...f32x4add, ...set(L.acc + a),
  ]).flat();
}

/** `best[bp] = max over the four accumulators' lanes`, with qv (free after the coordinate loop) holding their lane-wise max. */
function storeGroupBest(): number[] {
  const laneMax = Array.from({ length: ACCUMULATORS - 1 }, (_, a) => [...get(L.acc + a + 1), ...f32x4max]).flat();
  const lane = (i: number): number[] => [...get(L.qv), ...f32x4extractLane(i)];
  return [
    ...get(L.acc), ...laneMax, ...set(L.qv),
    ...get(L.bp), ...lane(0), ...lane(1), ...f32max, ...lane(2), ...lane(3), ...f32max, ...f32max, ...f32store,
  ];
}

function scanBody(): number[] {
  const code: number[] = [
    ...get(P.query), ...get(P.d), ...i32const(LANE_BYTES), ...mul, ...add, ...set(L.qEnd),
    ...get(P.rows), ...set(L.xp),
    ...get(P.scores), ...set(L.sp),
    ...get(P.best), ...set(L.bp),
    ...i32const(0), ...set(L.g),
    ...loop, // g
    ...Array.from({ length: ACCUMULATORS }, (_, a) => [...v128zero, ...set(L.acc + a)]).flat(),
    ...get(P.query), ...set(L.qp),
    ...loop, // coordinate: xp runs through the group, qp through the splatted query
    ...get(L.qp), ...v128load(), ...set(L.qv),
    ...multiplyAddAll(),
    ...incBy(L.xp, i32const(LANE_BYTES * ACCUMULATORS)),
    ...incBy(L.qp, i32const(LANE_BYTES)),
    ...get(L.qp), ...get(L.qEnd), ...ltU, ...brIf(0),
    ...end, // coordinate
    ...Array.from({ length: ACCUMULATORS }, (_, a) => [...get(L.sp), ...get(L.acc + a), ...v128store(LANE_BYTES * a)]).flat(),
    ...incBy(L.sp, i32const(LANE_BYTES * ACCUMULATORS)),
    ...storeGroupBest(),
    ...incBy(L.bp, i32const(4)),
    ...incBy(L.g, i32const(1)),
    ...get(L.g), ...get(P.groups), ...ltS, ...brIf(0),
    ...end, // g
    ...end, // function
  ];
  return functionBody([[I32_LOCALS, I32], [1 + ACCUMULATORS, V128]], code);
}

/** (query, rows, scores, best, d, groups): pointers in bytes. */
export type DotScan = (query: number, rows: number, scores: number, best: number, d: number, groups: number) => void;

const kernel = singleFunctionKernel<DotScan>('scan', () => singleFunctionModule('scan', PARAMS, scanBody()));

/** Whether this runtime validates the module (SIMD support). */
export function simdDotScanSupported(): boolean {
  return kernel.supported();
}

/** The scan bound to `memory` (instantiated once per memory). */
export function simdDotScan(memory: WasmMemory): DotScan {
  return kernel.bind(memory);
}
