/**
 * Exact ROC-AUC: the probability that a random positive scores above a random negative, ties
 * counting one half (the Mann-Whitney U statistic with average ranks). O(n log n).
 */

/** ROC-AUC of `scores` against binary `labels` (1 = positive, 0 = negative); NaN if a class is absent. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i]!)) throw new RangeError(`rocAuc: score ${i} is NaN`);
    const label = labels[i]!;
    if (label !== 0 && label !== 1) throw new RangeError(`rocAuc: label ${i} must be 0 or 1, got ${label}`);
    order[i] = i;
  }
  order.sort((a, b) => scores[a]! - scores[b]! || 0);
  let positives = 0;
  let rankSum = 0; // sum of the (1-based, tie-averaged) ranks of the positives
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const score = scores[order[start]!]!;
    while (end < n && scores[order[end]!]! === score) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
