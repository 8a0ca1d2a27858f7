/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: exact to float
 * precision and plenty fast for the d x d (d <= a few hundred) second-moment matrices it serves.
 */
export interface Eigen {
  /** Descending. */
  readonly values: Float64Array;
  /** Column-major: vectors[i * n + c] is component i of eigenvector c, in the order of `values`. */
  readonly vectors: Float64Array;
}

const MAX_SWEEPS = 60;

/** `matrix` is n x n, row-major, symmetric (it is not modified). */
export function symmetricEigen(matrix: Float64Array, n: number): Eigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS && offDiagonal(a, n) > 1e-22 * (1 + trace2(a, n)); sweep++) {
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotate(a, v, n, p, q);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const values = Float64Array.from(order, (c) => a[c * n + c]!);
  const vectors = new Float64Array(n * n);
  order.forEach((c, k) => {
    for (let i = 0; i < n; i++) vectors[i * n + k] = v[i * n + c]!;
  });
  return { values, vectors };
}

/** Zeroes a[p][q] with one rotation, accumulating it into v. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q]!;
  if (Math.abs(apq) < 1e-300) return;
  const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p]!;
    const akq = a[k * n + q]!;
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k]!;
    const aqk = a[q * n + k]!;
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p]!;
    const vkq = v[k * n + q]!;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

function offDiagonal(a: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += a[i * n + j]! ** 2;
  return sum;
}

function trace2(a: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i * n + i]! ** 2;
  return sum;
}
