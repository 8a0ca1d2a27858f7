/**
 * Errors of the feature store core, each with a stable code that the API maps to GraphQL
 * extensions: NOT_FOUND (no such feature set or readable version) is distinct from
 * BAD_USER_INPUT (an invalid definition or invalid values) and from CONFLICT (the operation does
 * not fit the version's state, e.g. writing to a published version) and from FAILED_PRECONDITION
 * (the store lacks something the request needs first, e.g. materialized item features).
 */
export const FEATURE_STORE_ERROR_CODES = ['NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'FAILED_PRECONDITION'] as const;
export type FeatureStoreErrorCode = (typeof FEATURE_STORE_ERROR_CODES)[number];

export class FeatureStoreError extends Error {
  override name = 'FeatureStoreError';
  readonly code: FeatureStoreErrorCode;
  constructor(code: FeatureStoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export class FeatureSetNotFoundError extends FeatureStoreError {
  override name = 'FeatureSetNotFoundError';
  constructor(featureSet: string | number) {
    super('NOT_FOUND', `no feature set ${typeof featureSet === 'number' ? `with id ${featureSet}` : `"${featureSet}"`}`);
  }
}

/** No such version, or one that readers may not see (pending or failed). */
export class FeatureSetVersionNotFoundError extends FeatureStoreError {
  override name = 'FeatureSetVersionNotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A version's status does not allow the operation (e.g. a write to a published version). */
export class VersionStateError extends FeatureStoreError {
  override name = 'VersionStateError';
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** Invalid input: a definition, a forbidden definition change, or values that break the schema. */
export class FeatureSetInputError extends FeatureStoreError {
  override name = 'FeatureSetInputError';
  /** Every problem as `path: message`. */
  readonly issues: readonly string[];
  constructor(summary: string, issues: readonly string[]) {
    super('BAD_USER_INPUT', issues.length > 0 ? `${summary}:\n  ${issues.slice(0, 20).join('\n  ')}${issues.length > 20 ? `\n  ... and ${issues.length - 20} more` : ''}` : summary);
    this.issues = issues;
  }
}
