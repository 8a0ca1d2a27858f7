/**
 * Which custom kernels and gradients each backend gets. Called by initBackend (ml/backend.ts)
 * after the backend is ready; idempotent.
 *
 * | backend    | kernel             | why                                                        |
 * |------------|--------------------|------------------------------------------------------------|
 * | wasm, cpu  | UnsortedSegmentSum | missing on wasm (no gather gradient); cpu: segments x ids x dim |
 * | wasm       | BatchMatMul        | transposed/batched forms 10-20x slower than plain           |
 * | wasm       | _FusedMatMul       | wrong bias/activation when transposed or batched            |
 * | wasm       | Sum                | leading-axis sums (bias gradients) transpose first          |
 * | wasm       | Identity           | copies data; backprop clones every saved activation         |
 * | wasm       | SynthFusedAttention | our own kernel name: multi-head attention in one kernel forward |
 * |            |  (+Grad)           | and one backward (ml/nn/attention.ts); 4-8x fewer ops, no naive |
 * |            |                    | batched matMul. cpu keeps the stock-op path (the reference).   |
 * | wasm       | SynthLayerNorm     | our own kernel name: layer norm forward and dx in one kernel each |
 * |            |  (+Grad)           | (ml/nn/layerNorm.ts) instead of ~20 broadcast ops               |
 * | tensorflow | none               | native kernels                                              |
 * Every backend also gets the broadcast-aware BatchMatMul gradient (./batchMatMulGrad.ts).
 *
 * Known tfjs limits deliberately NOT patched here (see /work/shared/TFJS-NOTES.md):
 * - tf.layers.layerNormalization backprop is pathologically slow: use ml/nn/layerNorm.ts.
 * - No gradient for Einsum (no wasm kernel either), stridedSlice (use tf.slice), batchNorm
 *   without scale/offset, or masks computed with tf.greater from a variable.
 * - tf.fused.matMul with a broadcast batch has no working gradient: reshape to 2-D first.
 * - tf.pow(x, 3) on wasm is ~20 ms per million elements: write x*x*x.
 */
import { installFusedAttention, uninstallFusedAttention } from './attention.ts';
import { installBatchMatMulGrad, uninstallBatchMatMulGrad } from './batchMatMulGrad.ts';
import { installFusedMatMulWasm, uninstallFusedMatMulWasm } from './fusedMatMul.ts';
import { installIdentityWasm, uninstallIdentityWasm } from './identity.ts';
import { installFusedLayerNorm, uninstallFusedLayerNorm } from './layerNorm.ts';
import { installBatchMatMulWasm, uninstallBatchMatMulWasm } from './matMul.ts';
import { installSumWasm, uninstallSumWasm } from './sum.ts';
import { SEGMENT_SUM_BACKENDS, installUnsortedSegmentSum, uninstallUnsortedSegmentSum } from './unsortedSegmentSum.ts';

/** What is patched for one backend, for BackendInfo and logs. */
export interface CustomKernelReport {
  /** Kernel names registered (or replaced) for the backend. */
  kernels: string[];
  /** Kernel names whose gradient was replaced (global to all backends). */
  gradients: string[];
}

interface Patch {
  name: string;
  install: () => void;
  uninstall: () => void;
}

function kernelPatchesFor(backendName: string): Patch[] {
  const patches: Patch[] = [];
  if (SEGMENT_SUM_BACKENDS.includes(backendName)) {
    patches.push({
      name: 'UnsortedSegmentSum',
      install: () => installUnsortedSegmentSum(backendName),
      uninstall: () => uninstallUnsortedSegmentSum(backendName),
    });
  }
  if (backendName === 'wasm') {
    patches.push({
      name: 'SynthFusedAttention',
      install: () => installFusedAttention(backendName),
      uninstall: () => uninstallFusedAttention(backendName),
    });
    patches.push({
      name: 'SynthLayerNorm',
      install: () => installFusedLayerNorm(backendName),
      uninstall: () => uninstallFusedLayerNorm(backendName),
    });
    patches.push({ name: 'BatchMatMul', install: installBatchMatMulWasm, uninstall: uninstallBatchMatMulWasm });
    patches.push({ name: '_FusedMatMul', install: installFusedMatMulWasm, uninstall: uninstallFusedMatMulWasm });
    patches.push({ name: 'Sum', install: installSumWasm, uninstall: uninstallSumWasm });
    patches.push({ name: 'Identity', install: installIdentityWasm, uninstall: uninstallIdentityWasm });
  }
  return patches;
}

const gradientPatches: Patch[] = [
  { name: 'BatchMatMul', install: installBatchMatMulGrad, uninstall: uninstallBatchMatMulGrad },
];

/** Registers the custom kernels for `backendName` and the global gradient fixes. */
export function registerCustomKernels(backendName: string): CustomKernelReport {
  const kernels = kernelPatchesFor(backendName);
  for (const patch of [...kernels, ...gradientPatches]) patch.install();
  return { kernels: kernels.map((p) => p.name), gradients: gradientPatches.map((p) => p.name) };
}

/**
 * Restores the stock kernels of `backendName` (and, with `gradients`, the stock gradients).
 * For benchmarks and tests that compare against stock tfjs.
 */
export function unregisterCustomKernels(backendName: string, options: { gradients?: boolean } = {}): void {
  for (const patch of kernelPatchesFor(backendName)) patch.uninstall();
  if (options.gradients) for (const patch of gradientPatches) patch.uninstall();
}
