import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATA_DIR, loadConfig } from '../../config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded store in .synthstore/db', () => {
    expect(loadConfig({}, {}).database).toEqual({ mode: 'embedded', dataDir: path.resolve(DEFAULT_DATA_DIR) });
  });

  it('uses DATABASE_URL for the server, and --db wins over it', () => {
    const env = { DATABASE_URL: 'postgres://app@db.internal:5432/features', SYNTHSTORE_DB_DIR: '/var/lib/other' };
    expect(loadConfig({}, env).database).toEqual({ mode: 'server', url: env.DATABASE_URL });
    expect(loadConfig({ dbDir: 'here' }, env).database).toEqual({ mode: 'embedded', dataDir: path.resolve('here') });
    expect(loadConfig({}, { SYNTHSTORE_DB_DIR: '/var/lib/other' }).database).toEqual({ mode: 'embedded', dataDir: '/var/lib/other' });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({}, { DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with postgres:\/\//);
    expect(() => loadConfig({}, { SYNTHSTORE_LOG_LEVEL: 'loud' })).toThrow(/SYNTHSTORE_LOG_LEVEL/);
  });
});
