/**
 * The API's error codes (one enum, stable for clients) and the mapping of the store's errors onto
 * them. Whatever else is thrown is logged and answered as INTERNAL_SERVER_ERROR with a generic
 * message: SQL, stack traces and internal paths never reach a client.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type pino from 'pino';
import { FeatureStoreError } from '../store/featureSets/errors.ts';
import { IngestError } from '../store/ingest/IngestError.ts';
import { ModelNotFoundError } from '../store/registry/modelVersions.ts';
import { ModelConfigError } from '../ml/model/ModelConfig.ts';
import { TrainingDataError } from '../ml/store/trainOnStore.ts';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo and graphql-js produce themselves, passed through unchanged. */
const PASSTHROUGH = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST']);

export class ApiError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
  }
}

export class UnauthenticatedError extends ApiError {
  constructor(message = 'an API key is required: send "Authorization: Bearer <key>"') {
    super(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });
  }
}

export class ForbiddenError extends ApiError {
  constructor(scope: string, team: string) {
    super(ErrorCode.FORBIDDEN, `this needs the ${scope} scope, which the key of team "${team}" does not have`, { requiredScope: scope.toUpperCase() });
  }
}

export class BadInputError extends ApiError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, extensions);
  }
}

/**
 * The error underneath Apollo's and graphql-js's wrappers. Unwrapped by `originalError` rather
 * than `instanceof GraphQLError`: graphql ships CommonJS and ESM builds, and a process can hold
 * both (Apollo's and ours), whose classes differ.
 */
function unwrap(error: unknown): unknown {
  let current = error;
  while (current && typeof current === 'object' && (current as { originalError?: unknown }).originalError) current = (current as { originalError: unknown }).originalError;
  return current;
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** Maps what resolvers throw to the error a client sees. */
export function toClientError(error: unknown, log: pino.Logger, apolloCode?: unknown): GraphQLFormattedError {
  const original = unwrap(error);
  const outer = isGraphQLError(error) ? error : undefined;
  const at = { ...(outer?.path ? { path: outer.path } : {}), ...(outer?.locations ? { locations: outer.locations } : {}) };
  if (original instanceof ApiError) return { message: original.message, ...at, extensions: stripHttp(original.extensions) };
  if (original instanceof IngestError) {
    const origin = original.origin;
    return { message: original.message, ...at, extensions: { code: ErrorCode.BAD_USER_INPUT, ...('index' in origin ? { index: origin.index } : {}), ...(original.field ? { field: original.field } : {}) } };
  }
  if (original instanceof FeatureStoreError) return { message: original.message, ...at, extensions: { code: original.code } };
  if (original instanceof ModelNotFoundError) return { message: original.message, ...at, extensions: { code: ErrorCode.NOT_FOUND } };
  if (original instanceof ModelConfigError || original instanceof RangeError) return { message: original.message, ...at, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  if (original instanceof TrainingDataError) return { message: original.message, ...at, extensions: { code: ErrorCode.FAILED_PRECONDITION } };
  if (isGraphQLError(original)) {
    // graphql-js's, Apollo's and graphql-armor's own request errors: they carry no internals.
    const code = original.extensions?.code ?? apolloCode;
    if (typeof code === 'string' && PASSTHROUGH.has(code) && !LIMIT_MESSAGE.test(original.message)) return { message: original.message, ...at, extensions: { code } };
    return { message: original.message, ...at, extensions: { code: LIMIT_MESSAGE.test(original.message) ? ErrorCode.QUERY_TOO_COMPLEX : ErrorCode.BAD_USER_INPUT } };
  }
  log.error({ err: original }, 'unexpected error while serving a request');
  return { message: 'internal error: the server logged the details', ...at, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/** What graphql-armor's refusals say. */
const LIMIT_MESSAGE = /(depth|cost|aliases|tokens|directives) limit/i;

function stripHttp(extensions: Record<string, unknown>): Record<string, unknown> {
  const { http: _http, ...rest } = extensions;
  return rest;
}
