/**
 * Checks rows for a feature set version against the version's schema before they are written
 * (no I/O): every problem is reported as `rows[i].field: message`, up to 50 of them.
 */
import type { FeatureValueRow } from '../sql/writeFeatureValues.ts';
import { vectorFeature, type FeatureSpec, type VersionSchema } from './FeatureSetDefinition.ts';
import { FeatureSetInputError } from './errors.ts';

const MAX_ISSUES = 50;
/** An ISO 8601 timestamp with an explicit offset: a timestamp without one would depend on the session time zone. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

export function checkFeatureValues(schema: VersionSchema, rows: readonly FeatureValueRow[]): void {
  const issues: string[] = [];
  const byName = new Map<string, FeatureSpec>(schema.features.filter((feature) => feature.type !== 'vector').map((feature) => [feature.name, feature]));
  const vector = vectorFeature(schema.features);
  const keys = new Set<string>();
  for (let i = 0; i < rows.length && issues.length < MAX_ISSUES; i++) {
    const row = rows[i]!;
    const at = `rows[${i}]`;
    if (typeof row.entityKey !== 'string' || row.entityKey === '') issues.push(`${at}.entityKey: expected a non-empty string`);
    else if (keys.has(row.entityKey)) issues.push(`${at}.entityKey: "${row.entityKey}" appears twice in one write`);
    else keys.add(row.entityKey);
    if (!row.values || typeof row.values !== 'object' || Array.isArray(row.values)) {
      issues.push(`${at}.values: expected an object of feature values`);
    } else {
      for (const [name, value] of Object.entries(row.values)) {
        const feature = byName.get(name);
        if (!feature) issues.push(`${at}.values.${name}: not a feature of this version (${[...byName.keys()].join(', ') || 'no value features'})`);
        else if (value !== null && value !== undefined) {
          const problem = checkValue(feature, value);
          if (problem) issues.push(`${at}.values.${name}: ${problem}`);
        }
      }
    }
    if (row.vector !== null && row.vector !== undefined) {
      if (!vector) issues.push(`${at}.vector: this version has no vector feature`);
      else if (!Array.isArray(row.vector) || row.vector.length !== vector.dimension) {
        issues.push(`${at}.vector: expected ${vector.dimension} numbers (${vector.name}), got ${Array.isArray(row.vector) ? row.vector.length : typeof row.vector}`);
      } else if (!row.vector.every((x) => typeof x === 'number' && Number.isFinite(x))) issues.push(`${at}.vector: expected finite numbers`);
    }
    const validFrom = row.validFrom;
    if (validFrom instanceof Date ? Number.isNaN(validFrom.getTime()) : typeof validFrom !== 'string' || !TIMESTAMP.test(validFrom) || Number.isNaN(Date.parse(validFrom))) {
      issues.push(`${at}.validFrom: expected a Date or an ISO 8601 timestamp with an offset, got ${String(validFrom)}`);
    }
  }
  if (issues.length > 0) throw new FeatureSetInputError('invalid feature values', issues);
}

function checkValue(feature: FeatureSpec, value: unknown): string | null {
  switch (feature.type) {
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) ? null : `expected a finite number, got ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected a boolean, got ${describe(value)}`;
    case 'categorical':
    case 'text':
      return typeof value === 'string' ? null : `expected a string, got ${describe(value)}`;
    case 'tags':
      return Array.isArray(value) && value.every((tag) => typeof tag === 'string') ? null : `expected an array of strings, got ${describe(value)}`;
    case 'vector':
      return 'a vector feature goes in the vector field';
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : typeof value;
}
