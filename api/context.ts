/**
 * What every resolver receives: the store, the caller (an API key's team and scopes), the
 * request's DataLoaders, and the long-lived services of the server process.
 */
import type { PgBoss } from 'pg-boss';
import type pino from 'pino';
import type { Database } from '../store/db/Database.ts';
import type { ApiKeyRecord, ApiScope } from '../store/apiKeys.ts';
import type { Scorer } from '../ml/serving/Scorer.ts';
import { ForbiddenError } from './errors.ts';
import type { Loaders } from './loaders.ts';
import type { Authenticator } from './auth.ts';
import type { FeatureReadCache } from './FeatureReadCache.ts';

export interface ApiServices {
  readonly db: Database;
  readonly scorer: Scorer;
  /** The job queue that training and materialization requests go to. */
  readonly queue: PgBoss;
  readonly log: pino.Logger;
  readonly authenticator: Authenticator;
  /** Online feature reads, kept in memory across requests (published versions never change). */
  readonly featureReads: FeatureReadCache;
}

export interface ApiContext extends ApiServices {
  readonly viewer: ApiKeyRecord;
  readonly loaders: Loaders;
}

/** Throws FORBIDDEN unless the caller's key has `scope` (ADMIN has every scope). */
export function requireScope(context: ApiContext, scope: ApiScope): void {
  const { scopes, team } = context.viewer;
  if (!scopes.includes(scope) && !scopes.includes('admin')) throw new ForbiddenError(scope, team);
}
