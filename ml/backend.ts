/**
 * The one place a TensorFlow.js backend is chosen.
 *
 * Convention for all model code:
 * - `import * as tf from '@tensorflow/tfjs'` — ops, tf.train, tf.io, tf.layers and the kernel
 *   registry, all on the single tfjs-core instance the backends register with. Do not import
 *   '@tensorflow/tfjs-core' or a backend package elsewhere: this file owns backend packages.
 * - Call `await initBackend()` once at program start (CLI, worker, test file) before creating any
 *   tensor. tfjs is a process-wide singleton, so the choice applies to everything.
 *
 * Order for 'auto': tfjs-node ('tensorflow', native, only if `@tensorflow/tfjs-node` imports; it
 * cannot be installed on our machines, so this normally falls through), then wasm (XNNPACK with
 * SIMD, one thread in Node), then cpu (plain JS, 10-20x slower than wasm; last resort). Custom
 * kernels that fix wasm's gaps are registered for the chosen backend (./kernels/).
 */
import * as tf from '@tensorflow/tfjs';
// Side effect: registers the 'wasm' backend factory. Its binaries load from node_modules (offline).
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerCustomKernels, unregisterCustomKernels } from './kernels/registerCustomKernels.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Preference order for 'auto'. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** What initBackend chose, for logs and benchmark reports. */
export interface BackendInfo {
  name: BackendName;
  /** wasm only: whether the SIMD build is running. */
  simd?: boolean;
  /** Threads the backend computes on (wasm: its thread pool; cpu: 1). */
  threads?: number;
  /** Custom kernels registered for this backend (see ml/kernels/registerCustomKernels.ts). */
  kernels: string[];
  /** Kernels whose gradient was replaced (global to all backends). */
  gradients: string[];
}

export interface InitBackendOptions {
  /** Register the custom kernels (default true). False gives stock tfjs, for benchmarks only. */
  customKernels?: boolean;
}

/** A backend was requested explicitly and cannot be used. */
export class BackendUnavailableError extends Error {
  readonly requested: BackendName;
  readonly available: BackendName[];

  constructor(requested: BackendName, available: BackendName[], reason: string) {
    super(
      `TensorFlow.js backend '${requested}' was requested but is not available: ${reason}. ` +
        `Available backends: ${available.length > 0 ? available.join(', ') : 'none'}.`,
    );
    this.name = 'BackendUnavailableError';
    this.requested = requested;
    this.available = available;
  }
}

/** Why a backend could not be used, once known (tfjs-node import failure, wasm init failure). */
const unavailable = new Map<BackendName, string>();

const TFJS_NODE = '@tensorflow/tfjs-node';
let tfjsNodeImport: Promise<void> | undefined;

/**
 * Imports tfjs-node once; it registers the 'tensorflow' backend on import. The specifier is a
 * variable so TypeScript and bundlers do not require the package to exist.
 */
async function importTfjsNode(): Promise<void> {
  tfjsNodeImport ??= (async () => {
    const specifier: string = TFJS_NODE;
    try {
      await import(specifier);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const detail = code === 'ERR_MODULE_NOT_FOUND' ? 'not installed' : String(error);
      unavailable.set('tensorflow', `${TFJS_NODE} could not be imported (${detail})`);
      return;
    }
    if (!isRegistered('tensorflow')) {
      unavailable.set('tensorflow', `${TFJS_NODE} loaded but registered with another copy of tfjs-core`);
    }
  })();
  return tfjsNodeImport;
}

function isRegistered(name: BackendName): boolean {
  const factories = (tf.engine() as unknown as { registryFactory: Record<string, unknown> }).registryFactory;
  return name in factories;
}

/** Backends registered and not known to fail, in preference order. */
export function availableBackends(): BackendName[] {
  return BACKEND_NAMES.filter((name) => isRegistered(name) && !unavailable.has(name));
}

/** Makes `name` current; false (with the reason recorded) if it cannot initialize. */
async function trySetBackend(name: BackendName): Promise<boolean> {
  if (name === 'tensorflow') await importTfjsNode();
  if (unavailable.has(name)) return false;
  if (!isRegistered(name)) {
    unavailable.set(name, 'no such backend is registered');
    return false;
  }
  const previous = tf.getBackend() as BackendName | undefined;
  if (await tf.setBackend(name)) {
    await tf.ready();
    return true;
  }
  unavailable.set(name, 'its initialization failed (see the warning above)');
  // A failed setBackend leaves tfjs with no usable backend: put the previous one back.
  if (previous && previous !== name) await tf.setBackend(previous);
  return false;
}

/**
 * The cpu backend prints an "install tfjs-node" banner on its first tensor in Node. We choose
 * backends deliberately, and tests switch to cpu for reference values, so mute it.
 */
function muteCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

async function describeBackend(name: BackendName, kernels: string[], gradients: string[]): Promise<BackendInfo> {
  if (name === 'wasm') {
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    return { name, simd, threads: getThreadsCount(), kernels, gradients };
  }
  if (name === 'cpu') return { name, threads: 1, kernels, gradients };
  return { name, kernels, gradients };
}

/**
 * Chooses, initializes and patches the tfjs backend. Safe to call again (for instance with
 * another preference); kernels are registered once per backend.
 * @throws BackendUnavailableError when an explicitly requested backend cannot be used.
 */
export async function initBackend(
  preference: BackendName | 'auto' = 'auto',
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  if (preference !== 'auto' && !BACKEND_NAMES.includes(preference)) {
    throw new Error(`Unknown TensorFlow.js backend '${String(preference)}': expected auto, ${BACKEND_NAMES.join(', ')}`);
  }
  const candidates = preference === 'auto' ? BACKEND_NAMES : [preference];
  let chosen: BackendName | undefined;
  for (const name of candidates) {
    if (await trySetBackend(name)) {
      chosen = name;
      break;
    }
  }
  if (chosen === undefined) {
    const requested = preference === 'auto' ? 'cpu' : preference;
    throw new BackendUnavailableError(requested, availableBackends(), unavailable.get(requested) ?? 'unknown reason');
  }
  muteCpuBanner();
  if (options.customKernels === false) {
    unregisterCustomKernels(chosen, { gradients: true });
    return describeBackend(chosen, [], []);
  }
  const report = registerCustomKernels(chosen);
  return describeBackend(chosen, report.kernels, report.gradients);
}
