/**
 * Whether an incremental run makes a delta version, and on which row base (store/sql/versionRows.ts).
 *
 * A delta version stores only what changed since the previous version (plus the previous delta's
 * rows that are still current) and has its row base's rows for every other entity, so that an
 * incremental run writes and publishes a few rows instead of copying the whole version. Chains stay
 * one deep: the row base is the previous version if it is full, else the previous version's row
 * base. When the delta would exceed MAX_DELTA_SHARE of the base's rows, the run copies in full
 * instead (compaction): every read of a delta scans its delta besides the base, and a search
 * scans the delta's vectors exactly.
 */
import type { Database } from '../../store/db/Database.ts';
import type { FeatureSetVersionInfo } from '../../store/featureSets/versions.ts';
import type { EntityType } from '../../store/ingest/records.ts';
import { countChangedEntities, countStoredRows } from '../../store/sql/countChangedEntities.ts';

export const MAX_DELTA_SHARE = 0.2;

export type RowLayoutChoice =
  | { readonly kind: 'delta'; readonly rowBaseVersionId: number }
  | { readonly kind: 'full'; readonly because: string };

export async function chooseRowBase(db: Database, previous: FeatureSetVersionInfo, entityType: EntityType): Promise<RowLayoutChoice> {
  const rowBaseVersionId = previous.rowBaseVersionId ?? previous.id;
  const baseRows = previous.rowBaseVersionId === null ? previous.rowCount : (await db.prisma.featureSetVersion.findUniqueOrThrow({ where: { id: rowBaseVersionId }, select: { rowCount: true } })).rowCount;
  const carried = previous.rowBaseVersionId === null ? 0 : await countStoredRows(db.sql, previous.id);
  const changed = await countChangedEntities(db.sql, entityType, previous.createdAt);
  const estimate = carried + changed;
  if (baseRows === 0 || estimate > MAX_DELTA_SHARE * baseRows) {
    return { kind: 'full', because: `about ${estimate} of ${baseRows} rows would differ from the row base (over ${MAX_DELTA_SHARE * 100}%)` };
  }
  return { kind: 'delta', rowBaseVersionId };
}
