/**
 * The rows of a feature set version. A full version (row_base_version_id NULL) stores all of
 * its rows. A delta version (made by an incremental run) stores only the rows of the entities it
 * recomputed, and has the rows of its row base, a full version, for every other entity: entities
 * are never deleted, so a delta needs no tombstones. Every statement that reads a version's rows
 * goes through this module, so that a delta version reads exactly as a full copy would.
 *
 * Both branches are driven by the primary key (version_id, entity_key): the delta branch by its
 * version, the base branch by the base's version with an anti-join probe into the delta per row.
 */
import type { SqlClient } from '../db/Database.ts';

/** Where a version's rows are: its own, plus its row base's for the entities it has none of. */
export interface VersionRowLayout {
  readonly versionId: number;
  readonly rowBaseVersionId: number | null;
}

/**
 * The columns of feature_value, in order, and `stored_version_id`, the version that stores the
 * row (the version read, or its row base); `version_id` is always the version read.
 */
const COLUMNS = ['entity_key', '"values"', 'vector', 'valid_from', 'created_at', 'version_id AS stored_version_id'] as const;
const SELECTED_COLUMNS = COLUMNS.map((column) => `fv.${column}`).join(', ');

const andFilter = (filter: string | undefined): string => (filter ? ` AND (${filter})` : '');

/**
 * SQL of a derived table (parenthesized, alias it) with feature_value's columns (and
 * stored_version_id): the rows of the
 * version `version` whose row base is `rowBase` (SQL expressions: integer literals, parameters or
 * columns of an outer query; `rowBase` may be NULL). `filter` is a condition on the alias `fv`
 * applied in both branches (a key, a key list, `vector IS NOT NULL`), so that each stays an index
 * scan.
 */
export function versionRowsSql(version: string, rowBase: string, filter?: string): string {
  const and = andFilter(filter);
  return `(SELECT ${version} AS version_id, ${SELECTED_COLUMNS}
     FROM feature_value fv
    WHERE fv.version_id = ${version}${and}
   UNION ALL
   SELECT ${version} AS version_id, ${SELECTED_COLUMNS}
     FROM feature_value fv
    WHERE fv.version_id = ${rowBase}${and}
      AND NOT EXISTS (SELECT 1 FROM feature_value own WHERE own.version_id = ${version} AND own.entity_key = fv.entity_key))`;
}

/** versionRowsSql for a layout known to the caller: integer literals, and no base branch for a full version. */
export function layoutRowsSql(layout: VersionRowLayout, filter?: string): string {
  checkLayout(layout);
  if (layout.rowBaseVersionId === null) {
    return `(SELECT fv.version_id, ${SELECTED_COLUMNS} FROM feature_value fv WHERE fv.version_id = ${layout.versionId}${andFilter(filter)})`;
  }
  return versionRowsSql(String(layout.versionId), String(layout.rowBaseVersionId), filter);
}

/**
 * A condition true when the stored row `row` (an alias of feature_value) is one of the rows of
 * version `version` with row base `rowBase` (SQL expressions): it is the version's own, or its
 * base's for an entity the version stores no row of. For statements driven by another index
 * (point-in-time reads scan an entity's rows across versions).
 */
export function rowBelongsToVersionSql(row: string, version: string, rowBase: string): string {
  return `(${row}.version_id = ${version}
        OR (${row}.version_id = ${rowBase}
            AND NOT EXISTS (SELECT 1 FROM feature_value own WHERE own.version_id = ${version} AND own.entity_key = ${row}.entity_key)))`;
}

/** The layout of a version (a full layout for an unknown id: it has no rows). */
export async function readVersionRowLayout(sql: SqlClient, versionId: number): Promise<VersionRowLayout> {
  const [row] = await sql.query<{ base: number | null }>('SELECT row_base_version_id AS base FROM feature_set_version WHERE id = $1', [versionId]);
  return { versionId, rowBaseVersionId: row?.base ?? null };
}

function checkLayout(layout: VersionRowLayout): void {
  if (!Number.isInteger(layout.versionId) || (layout.rowBaseVersionId !== null && !Number.isInteger(layout.rowBaseVersionId))) {
    throw new TypeError('version ids must be integers');
  }
}
