/**
 * Authentication of a request: the API key from `Authorization: Bearer <key>` or `x-api-key`.
 * Without a valid key nothing is readable: the request is refused before any resolver runs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Database } from '../store/db/Database.ts';
import { verifyApiKey, type ApiKeyRecord } from '../store/apiKeys.ts';
import { UnauthenticatedError } from './errors.ts';

export function apiKeyFrom(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

export async function authenticate(db: Pick<Database, 'sql'>, headers: IncomingHttpHeaders): Promise<ApiKeyRecord> {
  const key = apiKeyFrom(headers);
  if (!key) throw new UnauthenticatedError();
  const record = await verifyApiKey(db, key);
  if (!record) throw new UnauthenticatedError('the API key is not valid (unknown, malformed or revoked)');
  return record;
}
