/**
 * Authentication of a request: the API key from `Authorization: Bearer <key>` or `x-api-key`.
 * Without a valid key nothing is readable: the request is refused before any resolver runs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Database } from '../store/db/Database.ts';
import { verifyApiKey, type ApiKeyRecord } from '../store/apiKeys.ts';
import { TtlCache } from '../store/ttlCache.ts';
import { UnauthenticatedError } from './errors.ts';

/**
 * Verified keys are reused for a few seconds, which takes a statement off every request; a key
 * revoked through this server stops at once (`forget`), on other servers within the TTL.
 */
const KEY_TTL_MS = 5_000;

export function apiKeyFrom(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

export class Authenticator {
  readonly #db: Pick<Database, 'sql'>;
  readonly #verified = new TtlCache<string, ApiKeyRecord | null>(KEY_TTL_MS);

  constructor(db: Pick<Database, 'sql'>) {
    this.#db = db;
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<ApiKeyRecord> {
    const key = apiKeyFrom(headers);
    if (!key) throw new UnauthenticatedError();
    const record = await this.#verified.get(key, () => verifyApiKey(this.#db, key));
    if (!record) throw new UnauthenticatedError('the API key is not valid (unknown, malformed or revoked)');
    return record;
  }

  /** Drops every remembered verification (after a revocation). */
  forget(): void {
    this.#verified.clear();
  }
}
