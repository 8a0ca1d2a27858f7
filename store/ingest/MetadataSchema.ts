import { IngestError } from './IngestError.ts';
import type { EntityType, FieldDeclaration, FieldType, Metadata, MetadataValue, RecordOrigin } from './records.ts';

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The declared metadata fields of users and items, and the checks values must pass.
 * Fields not yet declared get a type inferred from their first value (number -> numeric,
 * boolean -> boolean, string[] -> tags, string -> categorical); `text` and `date` fields must be
 * declared, by the importer of a known format or by a JSONL schema.json.
 */
export class MetadataSchema {
  private readonly fields = new Map<string, FieldType>();
  private readonly added: FieldDeclaration[] = [];

  constructor(declared: Iterable<FieldDeclaration>) {
    for (const field of declared) this.fields.set(keyOf(field.entityType, field.name), field.type);
  }

  /** Declarations made since construction, to be written to the store. */
  takeNewDeclarations(): FieldDeclaration[] {
    return this.added.splice(0);
  }

  declare(field: FieldDeclaration, origin: RecordOrigin): void {
    checkFieldName(field.name, origin, 'name');
    const existing = this.fields.get(keyOf(field.entityType, field.name));
    if (existing === field.type) return;
    if (existing) {
      throw new IngestError(
        origin,
        field.name,
        `${field.entityType} field is declared as ${existing} and cannot be redeclared as ${field.type}`,
      );
    }
    this.fields.set(keyOf(field.entityType, field.name), field.type);
    this.added.push(field);
  }

  /** Checks every field of `metadata`, declaring new ones; returns it without null values. */
  check(entityType: EntityType, metadata: Record<string, unknown>, origin: RecordOrigin): Metadata {
    const checked: Metadata = {};
    for (const [name, value] of Object.entries(metadata)) {
      if (value === null || value === undefined) continue;
      const field = `metadata.${name}`;
      checkFieldName(name, origin, field);
      const declared = this.fields.get(keyOf(entityType, name));
      const type = declared ?? inferType(value, origin, field);
      checked[name] = checkValue(type, value, origin, field);
      if (!declared) this.declare({ entityType, name, type }, origin);
    }
    return checked;
  }
}

function keyOf(entityType: EntityType, name: string): string {
  return `${entityType}.${name}`;
}

function checkFieldName(name: string, origin: RecordOrigin, field: string): void {
  if (!FIELD_NAME.test(name)) {
    throw new IngestError(origin, field, `"${name}" is not a field name (letters, digits and _, not starting with a digit)`);
  }
}

function inferType(value: unknown, origin: RecordOrigin, field: string): FieldType {
  if (typeof value === 'number') return 'numeric';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'categorical';
  if (Array.isArray(value)) return 'tags';
  throw new IngestError(origin, field, `expected a number, string, boolean or array of strings, got ${describe(value)}`);
}

function checkValue(type: FieldType, value: unknown, origin: RecordOrigin, field: string): MetadataValue {
  const fail = (expected: string): never => {
    throw new IngestError(origin, field, `expected ${expected} (a ${type} field), got ${describe(value)}`);
  };
  switch (type) {
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) ? value : fail('a finite number');
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('true or false');
    case 'categorical':
    case 'text':
      return typeof value === 'string' ? value : fail('a string');
    case 'tags':
      return Array.isArray(value) && value.every((tag) => typeof tag === 'string') ? value : fail('an array of strings');
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? value
        : fail('an ISO 8601 date such as 1995-01-31');
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
