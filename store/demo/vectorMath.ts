import type { Random } from './random.ts';

/** Small dense-vector helpers for the demo data's latent model. */

export function gaussianVector(random: Random, dim: number, sd: number): Float64Array {
  const vector = new Float64Array(dim);
  for (let d = 0; d < dim; d++) vector[d] = random.normal(0, sd);
  return vector;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!;
  return sum;
}

export function addScaled(target: Float64Array, source: Float64Array, scale: number): void {
  for (let d = 0; d < target.length; d++) target[d]! += scale * source[d]!;
}

export function scaleToNorm(vector: Float64Array, norm: number): Float64Array {
  const length = Math.sqrt(dot(vector, vector));
  if (length > 0) for (let d = 0; d < vector.length; d++) vector[d]! *= norm / length;
  return vector;
}
