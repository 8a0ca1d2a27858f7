/**
 * NDCG@k of protocol A: each user's test rows are ranked by score (binary relevance = label),
 * and the per-user NDCG@k is averaged over users with at least one positive row.
 */
import { ndcgAtK, topK } from '../metrics/ranking.ts';

export function perUserNdcg(userIds: readonly string[], scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  if (userIds.length !== scores.length || scores.length !== labels.length) {
    throw new RangeError(`perUserNdcg: ${userIds.length} users, ${scores.length} scores, ${labels.length} labels`);
  }
  const rowsByUser = new Map<string, number[]>();
  userIds.forEach((user, row) => {
    const rows = rowsByUser.get(user);
    if (rows) rows.push(row);
    else rowsByUser.set(user, [row]);
  });
  let total = 0;
  let users = 0;
  for (const rows of rowsByUser.values()) {
    const relevant = new Set(rows.filter((row) => labels[row] === 1));
    if (relevant.size === 0) continue;
    const userScores = rows.map((row) => scores[row]!);
    const ranked = [...topK(userScores, k)].map((position) => rows[position]!);
    total += ndcgAtK(ranked, relevant, k);
    users++;
  }
  return users === 0 ? Number.NaN : total / users;
}
