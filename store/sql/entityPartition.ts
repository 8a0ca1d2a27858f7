/**
 * Which partition of a materialization run an entity belongs to. Partition p of P holds the
 * entities whose 63-bit hash of the external id lies in the p-th of P equal ranges of [0, 2^63).
 * The hash is PostgreSQL's own (hashtextextended, as in hash partitioning), computed by the
 * database so that every worker (on any machine, any Node version) agrees, and indexed together
 * with the row id on app_user and item: a partition reads its own entities in keyset pages of
 * that index instead of hashing the whole table, so a run's reads cost O(entities), not
 * O(entities x partitions).
 */

/** The indexed expression (keep it identical to the migration's index, or the index goes unused). */
export function entityHashSql(externalIdColumn: string): string {
  return `(hashtextextended(${externalIdColumn}, 0) & 9223372036854775807)`;
}

const SPACE = 2n ** 63n;

/** The inclusive bounds of a partition's hash range, as decimal strings (bigint parameters). */
export function partitionBounds(partition: number, partitions: number): { readonly low: string; readonly high: string } {
  if (!Number.isInteger(partitions) || partitions < 1 || !Number.isInteger(partition) || partition < 0 || partition >= partitions) {
    throw new RangeError(`partition ${partition} of ${partitions}: expected 0 <= partition < partitions`);
  }
  const p = BigInt(partition);
  const n = BigInt(partitions);
  return { low: ((p * SPACE) / n).toString(), high: (((p + 1n) * SPACE) / n - 1n).toString() };
}

/** `hash BETWEEN low AND high` for the given bigint parameters. */
export function entityPartitionSql(externalIdColumn: string, lowParam: string, highParam: string): string {
  return `${entityHashSql(externalIdColumn)} BETWEEN ${lowParam}::bigint AND ${highParam}::bigint`;
}
