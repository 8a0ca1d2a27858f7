/** Small builders shared by the feature store integration tests. */
import type { Database, SqlClient } from '../../store/db/Database.ts';
import type { FeatureSetDefinitionInput } from '../../store/featureSets/FeatureSetDefinition.ts';

export function rawDefinition(name: string, overrides: Partial<FeatureSetDefinitionInput> = {}): FeatureSetDefinitionInput {
  return {
    name,
    entityType: 'user',
    kind: 'raw',
    owner: 'team-recs',
    source: { fields: ['x'] },
    features: [{ name: 'x', type: 'numeric' }],
    ...overrides,
  } as FeatureSetDefinitionInput;
}

/** A view of `db` whose SqlClient counts the statements it runs (transactions are not counted). */
export function countingStatements(db: Database): { db: Database; count(): number; reset(): void } {
  let statements = 0;
  const sql: SqlClient = {
    query: (text, params) => {
      statements++;
      return db.sql.query(text, params);
    },
    exec: (text) => {
      statements++;
      return db.sql.exec(text);
    },
  };
  return { db: { ...db, sql }, count: () => statements, reset: () => void (statements = 0) };
}

/** Sets a version's publication time, to test point-in-time reads against exact instants. */
export async function setPublishedAt(db: Database, versionId: number, at: string): Promise<void> {
  await db.sql.query('UPDATE feature_set_version SET published_at = $2::timestamptz WHERE id = $1', [versionId, at]);
}
