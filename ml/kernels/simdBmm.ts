/**
 * A tiny hand-assembled WebAssembly SIMD kernel for many small strided matmuls, running on the
 * wasm backend's own heap (it imports the backend's exported memory, so no copies):
 *
 *   for each (outer, inner) batch item:  C = A·B   (A: [m, k] with any row/column strides,
 *                                                   B: [k, 4·n4] with contiguous rows, C likewise)
 *
 * Why hand-assembled: the tfjs wasm binary runs batched/transposed matmuls in a naive scalar loop
 * (~0.9 GFLOP/s on [1024, 16, 16] items) and XNNPACK costs ~5 µs per call, too much per 16x16
 * item; plain JS does ~1 ns per multiply-add. This loop does 4 multiply-adds per f32x4 op. A is
 * read one scalar at a time and splatted, so a transposed A is just other strides; B and C rows
 * must be contiguous runs of 4·n4 floats. All pointers and strides are in bytes.
 *
 * The module is built from bytes below (about 200 bytes; no toolchain needed, see wasmAssembly.ts)
 * and instantiated synchronously once per wasm memory.
 */
import {
  add, brIf, end, f32load, f32x4add, f32x4mul, f32x4splat, functionBody, get, I32, i32const, incBy,
  loop, ltS, mul, set, singleFunctionKernel, singleFunctionModule, V128, v128load, v128store, v128zero, type WasmMemory,
} from './wasmAssembly.ts';

export type { WasmMemory } from './wasmAssembly.ts';

// Parameters of bmm (all i32):
const P = {
  a: 0, b: 1, c: 2, m: 3, k: 4, n4: 5, sAr: 6, sAc: 7, sBr: 8, sCr: 9,
  nb1: 10, a1: 11, b1: 12, c1: 13, nb2: 14, a2: 15, b2: 16, c2: 17,
} as const;
const PARAMS = 18;
// i32 locals after the parameters, then one v128.
const L = { ob: 18, ib: 19, a0: 20, b0: 21, c0: 22, i: 23, ai: 24, ci: 25, jb: 26, kk: 27, ap: 28, bp: 29, nbytes: 30, acc: 31 } as const;

function bmmBody(): number[] {
  const code: number[] = [
    // nbytes = n4 * 16
    ...get(P.n4), ...i32const(16), ...mul, ...set(L.nbytes),
    ...i32const(0), ...set(L.ob),
    ...loop, // ob
    ...i32const(0), ...set(L.ib),
    ...loop, // ib
    // a0 = a + ob*a1 + ib*a2 (same for b0, c0)
    ...get(P.a), ...get(L.ob), ...get(P.a1), ...mul, ...add, ...get(L.ib), ...get(P.a2), ...mul, ...add, ...set(L.a0),
    ...get(P.b), ...get(L.ob), ...get(P.b1), ...mul, ...add, ...get(L.ib), ...get(P.b2), ...mul, ...add, ...set(L.b0),
    ...get(P.c), ...get(L.ob), ...get(P.c1), ...mul, ...add, ...get(L.ib), ...get(P.c2), ...mul, ...add, ...set(L.c0),
    ...i32const(0), ...set(L.i),
    ...loop, // i
    ...get(L.a0), ...get(L.i), ...get(P.sAr), ...mul, ...add, ...set(L.ai),
    ...get(L.c0), ...get(L.i), ...get(P.sCr), ...mul, ...add, ...set(L.ci),
    ...i32const(0), ...set(L.jb),
    ...loop, // jb
    ...v128zero, ...set(L.acc),
    ...get(L.ai), ...set(L.ap),
    ...get(L.b0), ...get(L.jb), ...add, ...set(L.bp),
    ...i32const(0), ...set(L.kk),
    ...loop, // k
    ...get(L.acc),
    ...get(L.ap), ...f32load, ...f32x4splat,
    ...get(L.bp), ...v128load(),
    ...f32x4mul, ...f32x4add, ...set(L.acc),
    ...incBy(L.ap, get(P.sAc)),
    ...incBy(L.bp, get(P.sBr)),
    ...incBy(L.kk, i32const(1)),
    ...get(L.kk), ...get(P.k), ...ltS, ...brIf(0),
    ...end, // k
    ...get(L.ci), ...get(L.jb), ...add, ...get(L.acc), ...v128store(),
    ...incBy(L.jb, i32const(16)),
    ...get(L.jb), ...get(L.nbytes), ...ltS, ...brIf(0),
    ...end, // jb
    ...incBy(L.i, i32const(1)),
    ...get(L.i), ...get(P.m), ...ltS, ...brIf(0),
    ...end, // i
    ...incBy(L.ib, i32const(1)),
    ...get(L.ib), ...get(P.nb2), ...ltS, ...brIf(0),
    ...end, // ib
    ...incBy(L.ob, i32const(1)),
    ...get(L.ob), ...get(P.nb1), ...ltS, ...brIf(0),
    ...end, // ob
    ...end, // function
  ];
  return functionBody([[13, I32], [1, V128]], code);
}

export type Bmm = (
  a: number, b: number, c: number, m: number, k: number, n4: number, sAr: number, sAc: number, sBr: number, sCr: number,
  nb1: number, a1: number, b1: number, c1: number, nb2: number, a2: number, b2: number, c2: number,
) => void;

const kernel = singleFunctionKernel<Bmm>('bmm', () => singleFunctionModule('bmm', PARAMS, bmmBody()));

/** Whether this runtime validates the module (SIMD support). */
export function simdBmmSupported(): boolean {
  return kernel.supported();
}

/** The bmm function bound to `memory` (instantiated once per memory). */
export function simdBmm(memory: WasmMemory): Bmm {
  return kernel.bind(memory);
}
