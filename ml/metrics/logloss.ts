/** Mean binary cross-entropy of predicted probabilities; probabilities are clipped to [eps, 1 - eps]. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>, eps = 1e-15): number {
  const n = probabilities.length;
  if (labels.length !== n) throw new RangeError(`logLoss: ${n} probabilities but ${labels.length} labels`);
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probabilities[i]!));
    const y = labels[i]!;
    if (!(y >= 0 && y <= 1)) throw new RangeError(`logLoss: label ${i} must be in [0, 1], got ${y}`);
    total -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return total / n;
}

/** Mean binary cross-entropy computed from logits, stable for large |logit|. */
export function logLossFromLogits(logits: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = logits.length;
  if (labels.length !== n) throw new RangeError(`logLossFromLogits: ${n} logits but ${labels.length} labels`);
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const z = logits[i]!;
    // -[y log s(z) + (1-y) log(1-s(z))] = max(z, 0) - z y + log(1 + e^-|z|)
    total += Math.max(z, 0) - z * labels[i]! + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return total / n;
}
