/**
 * A zero-copy `Identity` for the wasm backend.
 *
 * The engine runs Identity for every tf.clone, and backprop clones each tensor a gradient needs
 * to keep (matmul inputs, activations): 6-8 activation-sized copies per MLP step on wasm, whose
 * stock kernel copies the data. Tensors are immutable, so sharing the data with a reference
 * count is enough; the cpu backend's Identity does exactly this, and wasm's own Reshape too.
 * String tensors (kept in JS, not on the heap) still go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { installKernel, stockKernel, uninstallKernel } from './kernelPatch.ts';
import type { BackendWasm } from './wasmTensors.ts';

type TensorInfo = tf.TensorInfo;

function identityKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') {
    return stockKernel(tf.Identity, 'wasm')!.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  (args.backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityWasmConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identityKernel as tf.KernelFunc,
};

/** Installs the kernel; false if it already was. */
export function installIdentityWasm(): boolean {
  return installKernel(identityWasmConfig);
}

export function uninstallIdentityWasm(): void {
  uninstallKernel(tf.Identity, 'wasm');
}
