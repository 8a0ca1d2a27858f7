/**
 * Reading inputs and allocating outputs for our plain-TypeScript kernels, the same way on the
 * wasm backend (views on its heap, no copies) and on the cpu backend (its typed arrays), so one
 * kernel body serves both.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from './wasmTensors.ts';

type TensorInfo = tf.TensorInfo;

/** Reads float32 inputs and allocates zeroed float32 outputs on one backend. */
export interface Io {
  read(info: TensorInfo): Float32Array;
  /** Allocates all outputs first, then returns views (wasm heap views go stale on growth). */
  outputs(shapes: number[][]): { infos: TensorInfo[]; values: Float32Array[] };
}

function wasmIo(backend: BackendWasm): Io {
  return {
    read: (info) => backend.typedArrayFromHeap(info) as Float32Array,
    outputs: (shapes) => {
      const infos = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
      const values = infos.map((info) => {
        const view = backend.typedArrayFromHeap(info) as Float32Array;
        view.fill(0);
        return view;
      });
      return { infos, values };
    },
  };
}

/** The subset of the cpu backend (MathBackendCPU) these kernels use. */
interface CpuBackend {
  readSync(dataId: tf.DataId): unknown;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
}

function cpuIo(backend: CpuBackend): Io {
  return {
    read: (info) => backend.readSync(info.dataId) as Float32Array,
    outputs: (shapes) => {
      const values = shapes.map((shape) => new Float32Array(tf.util.sizeFromShape(shape)));
      const infos = shapes.map((shape, i) => backend.makeTensorInfo(shape, 'float32', values[i]!));
      return { infos, values };
    },
  };
}

/** The Io of a kernel call on `backendName` ('wasm' or 'cpu'). */
export function ioFor(backendName: string, backend: unknown): Io {
  return backendName === 'wasm' ? wasmIo(backend as BackendWasm) : cpuIo(backend as CpuBackend);
}

export function checkFloat(name: string, infos: TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32') throw new Error(`${name}: expected float32 inputs, got ${info.dtype}`);
  }
}
