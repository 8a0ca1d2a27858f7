import type { SqlClient } from '../db/Database.ts';
import type { EntityType, FieldDeclaration, FieldType } from '../ingest/records.ts';

export async function loadMetadataFields(sql: SqlClient): Promise<FieldDeclaration[]> {
  const rows = await sql.query<{ entity_type: EntityType; name: string; type: FieldType; description: string | null }>(
    'SELECT entity_type, name, type, description FROM metadata_field ORDER BY entity_type, name',
  );
  return rows.map((row) => ({ entityType: row.entity_type, name: row.name, type: row.type, description: row.description ?? undefined }));
}

/** Enum arrays travel as text[]: PGlite only serializes array types it knew when it started. */
export async function saveMetadataFields(sql: SqlClient, fields: readonly FieldDeclaration[]): Promise<void> {
  if (fields.length === 0) return;
  await sql.query(
    `INSERT INTO metadata_field (entity_type, name, type, description)
     SELECT entity_type::entity_type, name, type::field_type, description
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(entity_type, name, type, description)
     ON CONFLICT (entity_type, name) DO NOTHING`,
    [
      fields.map((field) => field.entityType),
      fields.map((field) => field.name),
      fields.map((field) => field.type),
      fields.map((field) => field.description ?? null),
    ],
  );
}
