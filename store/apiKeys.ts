/**
 * API keys of client teams. A key is `ssk_<prefix>_<secret>`; only its SHA-256 digest is stored,
 * with the prefix (which identifies it in listings and revocations). Verifying a key is one
 * indexed lookup by digest.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './db/Database.ts';
import { FeatureStoreError } from './featureSets/errors.ts';

export const API_SCOPES = ['read', 'ingest', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKeyRecord {
  readonly prefix: string;
  readonly team: string;
  readonly scopes: ApiScope[];
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

const KEY_PATTERN = /^ssk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function digestOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Creates a key; the secret is returned this once and never stored. */
export async function createApiKey(db: Pick<Database, 'prisma'>, team: string, scopes: readonly ApiScope[]): Promise<{ key: string; record: ApiKeyRecord }> {
  if (!TEAM.test(team)) throw new FeatureStoreError('BAD_USER_INPUT', `team: expected 1-64 letters, digits, '_', '.' or '-', got ${JSON.stringify(team)}`);
  const unique = [...new Set(scopes)];
  if (unique.length === 0) throw new FeatureStoreError('BAD_USER_INPUT', `scopes: expected at least one of ${API_SCOPES.join(', ')}`);
  for (const scope of unique) {
    if (!API_SCOPES.includes(scope)) throw new FeatureStoreError('BAD_USER_INPUT', `scopes: expected ${API_SCOPES.join(', ')}, got ${JSON.stringify(scope)}`);
  }
  const prefix = randomBytes(6).toString('hex');
  const key = `ssk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const row = await db.prisma.apiKey.create({ data: { team, prefix, keyHash: digestOf(key), scopes: unique } });
  return { key, record: toRecord(row) };
}

/** The key's record when it is well-formed, known and not revoked; null otherwise. */
export async function verifyApiKey(db: Pick<Database, 'sql'>, key: string): Promise<ApiKeyRecord | null> {
  if (!KEY_PATTERN.test(key)) return null;
  // Marks the use in the same statement; at most once a minute, so reads stay cheap.
  const [row] = await db.sql.query<{ prefix: string; team: string; scopes: string | string[]; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
    `WITH found AS (SELECT id FROM api_key WHERE key_hash = $1 AND revoked_at IS NULL),
          touched AS (
            UPDATE api_key SET last_used_at = now()
             WHERE id IN (SELECT id FROM found) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
          )
     SELECT prefix, team, scopes::text[] AS scopes, created_at, last_used_at, revoked_at FROM api_key WHERE id IN (SELECT id FROM found)`,
    [digestOf(key)],
  );
  if (!row) return null;
  return {
    prefix: row.prefix,
    team: row.team,
    scopes: parseScopes(row.scopes),
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
    revokedAt: null,
  };
}

export async function listApiKeys(db: Pick<Database, 'prisma'>): Promise<ApiKeyRecord[]> {
  return (await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } })).map(toRecord);
}

export async function revokeApiKey(db: Pick<Database, 'prisma'>, prefix: string): Promise<ApiKeyRecord> {
  const found = await db.prisma.apiKey.findUnique({ where: { prefix } });
  if (!found) throw new FeatureStoreError('NOT_FOUND', `no API key with prefix ${JSON.stringify(prefix)}`);
  const row = found.revokedAt ? found : await db.prisma.apiKey.update({ where: { prefix }, data: { revokedAt: new Date() } });
  return toRecord(row);
}

function parseScopes(value: string | string[]): ApiScope[] {
  // node-pg returns enum arrays as their text form '{read,admin}'.
  const list = Array.isArray(value) ? value : value.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  return list.filter((scope): scope is ApiScope => (API_SCOPES as readonly string[]).includes(scope));
}

function toRecord(row: { prefix: string; team: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }): ApiKeyRecord {
  return { prefix: row.prefix, team: row.team, scopes: parseScopes(row.scopes), createdAt: row.createdAt, lastUsedAt: row.lastUsedAt, revokedAt: row.revokedAt };
}
