/**
 * Which partition of a materialization run an entity belongs to: a stable hash of its external id
 * modulo the run's partition count, computed by the database so that every worker (on any machine,
 * any Node version) agrees. hashtextextended is PostgreSQL's own hash for hash partitioning; the
 * mask keeps it non-negative.
 */
export function entityPartitionSql(externalIdColumn: string, partitionsParam: string): string {
  return `mod(hashtextextended(${externalIdColumn}, 0) & 9223372036854775807, ${partitionsParam}::bigint)::int`;
}
