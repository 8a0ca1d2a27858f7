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
 * The module is built from bytes below (about 200 bytes; no toolchain needed) and instantiated
 * synchronously once per wasm memory: the backend's heap, or one a caller owns (simdBmmMemory)
 * when its operands live outside tfjs.
 */

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

// Parameters of bmm (all i32):
const P = {
  a: 0, b: 1, c: 2, m: 3, k: 4, n4: 5, sAr: 6, sAc: 7, sBr: 8, sCr: 9,
  nb1: 10, a1: 11, b1: 12, c1: 13, nb2: 14, a2: 15, b2: 16, c2: 17,
} as const;
const PARAMS = 18;
// i32 locals after the parameters, then one v128.
const L = { ob: 18, ib: 19, a0: 20, b0: 21, c0: 22, i: 23, ai: 24, ci: 25, jb: 26, kk: 27, ap: 28, bp: 29, nbytes: 30, acc: 31 } as const;

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const i32const = (v: number): number[] => [0x41, v]; // small non-negative values only (< 64)
const add = [0x6a];
const mul = [0x6c];
const ltS = [0x48];
const loop = [0x03, 0x40];
const end = [0x0b];
const brIf = (depth: number): number[] => [0x0d, depth];
const simd = (op: number, ...rest: number[]): number[] => [0xfd, ...uleb(op), ...rest];
const f32load = [0x2a, 0x02, 0x00];
const v128load = simd(0x00, 0x02, 0x00);
const v128store = simd(0x0b, 0x02, 0x00);
const f32x4splat = simd(0x13);
const f32x4add = simd(0xe4);
const f32x4mul = simd(0xe6);
const v128zero = simd(0x0c, ...new Array<number>(16).fill(0));

/** `x = x + 1`-style increment of local `i` by local or constant. */
const incBy = (i: number, by: number[]): number[] => [...get(i), ...by, ...add, ...set(i)];

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
    ...get(L.bp), ...v128load,
    ...f32x4mul, ...f32x4add, ...set(L.acc),
    ...incBy(L.ap, get(P.sAc)),
    ...incBy(L.bp, get(P.sBr)),
    ...incBy(L.kk, i32const(1)),
    ...get(L.kk), ...get(P.k), ...ltS, ...brIf(0),
    ...end, // k
    ...get(L.ci), ...get(L.jb), ...add, ...get(L.acc), ...v128store,
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
  const locals = vec([[...uleb(13), I32], [...uleb(1), V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const funcType = [0x60, ...uleb(PARAMS), ...new Array<number>(PARAMS).fill(I32), 0x00];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([funcType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec([[0x00]])),
    ...section(7, vec([[...name('bmm'), 0x00, 0x00]])),
    ...section(10, vec([bmmBody()])),
  ];
  return new Uint8Array(bytes);
}

export type Bmm = (
  a: number, b: number, c: number, m: number, k: number, n4: number, sAr: number, sAc: number, sBr: number, sCr: number,
  nb1: number, a1: number, b1: number, c1: number, nb2: number, a2: number, b2: number, c2: number,
) => void;

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const WASM_PAGE_BYTES = 65_536;

let compiled: object | undefined;
const instances = new WeakMap<WasmMemory, Bmm>();

/** Whether this runtime validates the module (SIMD support). */
export function simdBmmSupported(): boolean {
  try {
    compiled ??= new WebAssemblyApi.Module(moduleBytes());
    return true;
  } catch {
    return false;
  }
}

/** The bmm function bound to `memory` (instantiated once per memory). */
export function simdBmm(memory: WasmMemory): Bmm {
  let bmm = instances.get(memory);
  if (bmm === undefined) {
    compiled ??= new WebAssemblyApi.Module(moduleBytes());
    const instance = new WebAssemblyApi.Instance(compiled, { env: { memory } });
    bmm = instance.exports['bmm'] as unknown as Bmm;
    instances.set(memory, bmm);
  }
  return bmm;
}

/** A zeroed memory of its own holding at least `byteLength` bytes, for operands kept outside the backend's heap (it never grows, so views of its buffer stay valid). */
export function simdBmmMemory(byteLength: number): WasmMemory {
  return new WebAssemblyApi.Memory({ initial: Math.max(1, Math.ceil(byteLength / WASM_PAGE_BYTES)) });
}
