/**
 * Replacing a registered tfjs kernel or gradient while remembering the stock one, so that a patch
 * can delegate to it, be installed twice without harm, and be undone (the benchmark measures stock
 * against patched in one process; tests compare against stock kernels).
 *
 * tfjs keeps kernels in one global registry keyed by (kernel name, backend name) and gradients in
 * another keyed by kernel name; both are process-wide singletons, so this module is too.
 */
import * as tf from '@tensorflow/tfjs';

type KernelConfig = tf.KernelConfig;
type GradConfig = tf.GradConfig;

/** What was registered before our patch; `null` when nothing was (a kernel we add, not replace). */
const stockKernels = new Map<string, KernelConfig | null>();
const stockGradients = new Map<string, GradConfig | null>();
const installedKernels = new Map<string, KernelConfig>();
const installedGradients = new Map<string, GradConfig>();

function keyOf(kernelName: string, backendName: string): string {
  return `${kernelName}/${backendName}`;
}

/** The kernel registered now, or undefined (tfjs's getKernel returns undefined despite its type). */
export function findKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  return tf.getKernel(kernelName, backendName) as KernelConfig | undefined;
}

/**
 * The stock kernel a patch replaced (or the current one if nothing is patched). Patched kernels
 * call this to delegate the work they do not change.
 */
export function stockKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  const key = keyOf(kernelName, backendName);
  if (stockKernels.has(key)) return stockKernels.get(key) ?? undefined;
  return findKernel(kernelName, backendName);
}

/**
 * Registers `config` in place of whatever is registered for its kernel and backend. Returns false
 * (and changes nothing) when this exact config is already installed, so initBackend can run twice.
 * The stock setup/dispose hooks are kept when the patch has none: wasm kernels bind their C++
 * entry points in setupFunc, and tfjs re-runs setup funcs on every setBackend.
 */
export function installKernel(config: KernelConfig): boolean {
  const key = keyOf(config.kernelName, config.backendName);
  const current = findKernel(config.kernelName, config.backendName);
  if (current !== undefined && current === installedKernels.get(key)) return false;
  if (!stockKernels.has(key)) stockKernels.set(key, current ?? null);
  const stock = stockKernels.get(key);
  const merged: KernelConfig = {
    ...config,
    setupFunc: config.setupFunc ?? stock?.setupFunc,
    disposeFunc: config.disposeFunc ?? stock?.disposeFunc,
  };
  if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(merged);
  installedKernels.set(key, merged);
  return true;
}

/** Puts the stock kernel back (or removes ours when there was none). No-op if not installed. */
export function uninstallKernel(kernelName: string, backendName: string): void {
  const key = keyOf(kernelName, backendName);
  const installed = installedKernels.get(key);
  if (installed === undefined) return;
  if (findKernel(kernelName, backendName) !== undefined) tf.unregisterKernel(kernelName, backendName);
  const stock = stockKernels.get(key);
  if (stock) tf.registerKernel(stock);
  installedKernels.delete(key);
}

/** Like installKernel, for the global (backend-independent) gradient registry. */
export function installGradient(config: GradConfig): boolean {
  const current = tf.getGradient(config.kernelName) as GradConfig | undefined;
  if (current !== undefined && current === installedGradients.get(config.kernelName)) return false;
  if (!stockGradients.has(config.kernelName)) stockGradients.set(config.kernelName, current ?? null);
  tf.registerGradient(config);
  installedGradients.set(config.kernelName, config);
  return true;
}

/** Puts the stock gradient back. No-op if not installed. */
export function uninstallGradient(kernelName: string): void {
  if (!installedGradients.has(kernelName)) return;
  const stock = stockGradients.get(kernelName);
  tf.unregisterGradient(kernelName);
  if (stock) tf.registerGradient(stock);
  installedGradients.delete(kernelName);
}

/** Installing, removing and detecting a set of our own kernels that only work together (a forward kernel and its gradient kernel). */
export interface KernelSet {
  /** Registers every kernel of the set for `backendName`; idempotent. Throws for a backend the set has no kernels for. */
  install(backendName: string): void;
  uninstall(backendName: string): void;
  /** Whether every kernel of the set is registered for the current backend. */
  registered(): boolean;
}

/** A KernelSet over per-backend configs, built once so that installing twice is recognized. */
export function kernelSet(label: string, kernelNames: readonly string[], configsByBackend: ReadonlyMap<string, readonly KernelConfig[]>): KernelSet {
  return {
    install(backendName) {
      const configs = configsByBackend.get(backendName);
      if (configs === undefined) throw new Error(`${label}: no kernel for backend '${backendName}'`);
      for (const config of configs) installKernel(config);
    },
    uninstall(backendName) {
      for (const name of kernelNames) uninstallKernel(name, backendName);
    },
    registered() {
      const backendName = tf.getBackend();
      return kernelNames.every((name) => findKernel(name, backendName) !== undefined);
    },
  };
}
