/**
 * Multi-head self-attention over fused Q/K/V projections, for hand-written models.
 *
 *   selfAttention(qkv [N, T, 3d], keyBias [N, T], heads, keep?) -> context [N, T, d]
 *
 * qkv is the output of one dense layer with columns [Q | K | V], head h at columns h·dh..(h+1)·dh
 * of each block (dh = d / heads); keyBias is added to every score of a key (0 = attend, -1e9 =
 * masked); keep is an optional dropout multiplier on the attention probabilities [N, H, T, T]
 * (see `dropoutMultiplier` in ml/model/ops.ts). The
 * context has heads concatenated on the last axis, ready for the output projection.
 *
 * Where the fused kernels of ml/kernels/attention.ts are registered (wasm, by initBackend; cpu
 * only when installed explicitly), this is one kernel forward and one backward. Elsewhere (cpu,
 * tfjs-node, or a backend set without initBackend) it runs the same math with stock ops: slices,
 * rank-4 transposes, batched matMuls, softmax. Call inside tf.tidy (the fused kernel also
 * returns the probabilities, kept for the gradient). Both give the same values within float32 rounding
 * (test/unit/ml/attention.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_ATTENTION, FUSED_ATTENTION_GRAD, type FusedAttentionAttrs, hasFusedAttention } from '../kernels/attention.ts';

type Tensor = tf.Tensor;

function fusedGradient(dy: Tensor | Tensor[], saved: Tensor[], attrs: tf.NamedAttrMap): Record<string, () => Tensor> {
  const dCtx = Array.isArray(dy) ? dy[0]! : dy;
  const [qkv, keep, probs] = saved as [Tensor, Tensor, Tensor];
  // Each closure runs in its own tidy: the output it does not return is disposed there.
  const grads = (): Tensor[] => tf.engine().runKernel(FUSED_ATTENTION_GRAD, { dy: dCtx, qkv, probs, keep }, attrs) as Tensor[];
  return {
    qkv: () => grads()[0]!,
    bias: () => grads()[1]!,
    keep: () => {
      throw new Error('selfAttention: no gradient with respect to the dropout multiplier (it must not depend on variables)');
    },
  };
}

const fusedGradConfig: tf.GradConfig = {
  kernelName: FUSED_ATTENTION,
  inputsToSave: ['qkv', 'keep'],
  outputsToSave: [false, true],
  gradFunc: fusedGradient as tf.GradConfig['gradFunc'],
};

/** Gradients are global (all backends) and this one belongs to our own kernel name: register once. */
function ensureGradient(): void {
  if (tf.getGradient(FUSED_ATTENTION) == null) tf.registerGradient(fusedGradConfig);
}

function checkShapes(qkv: Tensor, keyBias: Tensor, heads: number, keep: Tensor | undefined): void {
  const [n, t, threeD] = qkv.shape;
  if (qkv.rank !== 3 || threeD! % (3 * heads) !== 0) {
    throw new Error(`selfAttention: qkv must be [N, T, 3·d] with d divisible by ${heads} heads, got [${qkv.shape}]`);
  }
  if (keyBias.rank !== 2 || keyBias.shape[0] !== n || keyBias.shape[1] !== t) {
    throw new Error(`selfAttention: keyBias must be [${n}, ${t}], got [${keyBias.shape}]`);
  }
  const keepShape = [n, heads, t, t];
  if (keep !== undefined && (keep.rank !== 4 || keep.shape.some((dim, i) => dim !== keepShape[i]))) {
    throw new Error(`selfAttention: keep must be [${keepShape}], got [${keep.shape}]`);
  }
}

/** The same computation with stock ops (any backend, any tfjs gradient machinery). */
export function selfAttentionReference(qkv: Tensor, keyBias: Tensor, heads: number, keep?: Tensor): tf.Tensor3D {
  const [n, t, threeD] = qkv.shape as [number, number, number];
  const d = threeD / 3;
  const dh = d / heads;
  const part = (offset: number): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, offset], [n, t, d]), [n, t, heads, dh]), [0, 2, 1, 3]), [n * heads, t, dh]);
  const q = tf.mul(part(0), 1 / Math.sqrt(dh)) as tf.Tensor3D;
  const scores = tf.add(tf.reshape(tf.matMul(q, part(d), false, true), [n, heads, t, t]), tf.reshape(keyBias, [n, 1, 1, t]));
  let probs = tf.softmax(scores);
  if (keep !== undefined) probs = tf.mul(probs, keep);
  const context = tf.matMul(tf.reshape(probs, [n * heads, t, t]) as tf.Tensor3D, part(2 * d));
  return tf.reshape(tf.transpose(tf.reshape(context, [n, heads, t, dh]), [0, 2, 1, 3]), [n, t, d]);
}

/** Multi-head self-attention; see the module comment. Differentiable with respect to qkv and keyBias. */
export function selfAttention(qkv: Tensor, keyBias: Tensor, heads: number, keep?: Tensor): tf.Tensor3D {
  checkShapes(qkv, keyBias, heads, keep);
  if (!hasFusedAttention() || qkv.dtype !== 'float32' || keyBias.dtype !== 'float32') {
    return selfAttentionReference(qkv, keyBias, heads, keep);
  }
  ensureGradient();
  const dh = qkv.shape[2]! / 3 / heads;
  const attrs: FusedAttentionAttrs = { heads, scale: 1 / Math.sqrt(dh) };
  const keepInput = keep ?? tf.scalar(1);
  const [context] = tf.engine().runKernel(
    FUSED_ATTENTION,
    { qkv, bias: keyBias, keep: keepInput },
    attrs as unknown as tf.NamedAttrMap,
  ) as Tensor[];
  return context as tf.Tensor3D;
}
