/**
 * Just enough of a WebAssembly assembler for the project's hand-written SIMD kernels
 * (simdBmm.ts, simdDotScan.ts): byte encodings of the instructions they use, the one module
 * shape they share (one function of i32 parameters over an imported memory), and the slice of
 * the WebAssembly JS API that compiles and instantiates it. No toolchain is needed: a kernel is
 * a few hundred bytes built at load time.
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

/** Signed LEB128 (i32.const immediates). */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
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

export const I32 = 0x7f;
export const V128 = 0x7b;
export const get = (i: number): number[] => [0x20, i];
export const set = (i: number): number[] => [0x21, i];
export const i32const = (v: number): number[] => [0x41, ...sleb(v)];
export const add = [0x6a];
export const mul = [0x6c];
export const ltS = [0x48];
export const ltU = [0x49];
export const loop = [0x03, 0x40];
export const end = [0x0b];
export const brIf = (depth: number): number[] => [0x0d, depth];
const simd = (op: number, ...rest: number[]): number[] => [0xfd, ...uleb(op), ...rest];
/** Memory immediates: alignment hint 4 bytes (valid for any float pointer), then the constant byte offset. */
const memarg = (offset: number): number[] => [0x02, ...uleb(offset)];
export const f32load = [0x2a, ...memarg(0)];
export const f32store = [0x38, ...memarg(0)];
export const f32max = [0x97];
export const v128load = (offset = 0): number[] => simd(0x00, ...memarg(offset));
export const v128store = (offset = 0): number[] => simd(0x0b, ...memarg(offset));
export const f32x4splat = simd(0x13);
export const f32x4add = simd(0xe4);
export const f32x4mul = simd(0xe6);
export const f32x4max = simd(0xe9);
export const f32x4extractLane = (lane: number): number[] => simd(0x1f, lane);
export const v128zero = simd(0x0c, ...new Array<number>(16).fill(0));

/** `x = x + by`, for local `i` and a local or constant `by`. */
export const incBy = (i: number, by: number[]): number[] => [...get(i), ...by, ...add, ...set(i)];

/** A function body: its locals, as [count, type] runs after the parameters, then its code (ending in `end`). */
export function functionBody(locals: [count: number, type: number][], code: number[]): number[] {
  const body = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code];
  return [...uleb(body.length), ...body];
}

/** A module importing `env.memory` and exporting one function of `params` i32 parameters and no results. */
export function singleFunctionModule(exportName: string, params: number, body: number[]): Uint8Array {
  const funcType = [0x60, ...uleb(params), ...new Array<number>(params).fill(I32), 0x00];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([funcType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec([[0x00]])),
    ...section(7, vec([[...name(exportName), 0x00, 0x00]])),
    ...section(10, vec([body])),
  ]);
}

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const WASM_PAGE_BYTES = 65_536;

/** A kernel built by singleFunctionModule: compiled once on first use, instantiated once per memory. */
export interface SingleFunctionKernel<F> {
  /** Whether this runtime validates the module (SIMD support). */
  supported(): boolean;
  /** The kernel's function bound to `memory`. */
  bind(memory: WasmMemory): F;
}

/** `moduleBytes` is called at most once, on first use, so defining a kernel costs nothing at import. */
export function singleFunctionKernel<F>(exportName: string, moduleBytes: () => Uint8Array): SingleFunctionKernel<F> {
  let compiled: WasmModule | undefined;
  // Compiling throws where the runtime does not validate the bytes (no SIMD support).
  const module = (): WasmModule => (compiled ??= new WebAssemblyApi.Module(moduleBytes()));
  const instances = new WeakMap<WasmMemory, F>();
  return {
    supported() {
      try {
        module();
        return true;
      } catch {
        return false;
      }
    },
    bind(memory) {
      let bound = instances.get(memory);
      if (bound === undefined) {
        bound = new WebAssemblyApi.Instance(module(), { env: { memory } }).exports[exportName] as F;
        instances.set(memory, bound);
      }
      return bound;
    },
  };
}

/** A zeroed memory of at least `byteLength` bytes for operands kept outside the tfjs heap (it never grows, so views of its buffer stay valid). */
export function newWasmMemory(byteLength: number): WasmMemory {
  return new WebAssemblyApi.Memory({ initial: Math.max(1, Math.ceil(byteLength / WASM_PAGE_BYTES)) });
}
