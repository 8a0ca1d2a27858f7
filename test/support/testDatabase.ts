/**
 * Opens a fresh, migrated database for one test: a PGlite loaded from the migrated snapshot, or,
 * when DATABASE_URL is set, a server database cloned from the migrated template. Integration
 * tests use only this, so the same suite runs against both implementations.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Database } from '../../store/db/Database.ts';
import { openEmbeddedDatabase } from '../../store/db/openEmbeddedDatabase.ts';
import { openServerDatabase } from '../../store/db/openServerDatabase.ts';
import { loadConfig } from '../../config.ts';
import { cloneTemplateDatabase, dropDatabase } from './serverTemplate.ts';

/** The database DATABASE_URL names: tests create and drop their own databases through it. */
function serverAdminUrl(): string {
  const { database } = loadConfig();
  if (database.mode !== 'server') throw new Error('a server template exists but DATABASE_URL is not set');
  return database.url;
}

export interface TestDatabase {
  readonly db: Database;
  /** CLI arguments or environment that point a child process at the same database. */
  readonly cli: { readonly args: string[]; readonly env: Record<string, string> };
  dispose(): Promise<void>;
}

export const testedMode: 'embedded' | 'server' = inject('serverTemplateUrl') ? 'server' : 'embedded';

export async function openTestDatabase(): Promise<TestDatabase> {
  const templateUrl = inject('serverTemplateUrl');
  if (templateUrl) {
    const database = await cloneTemplateDatabase(templateUrl, serverAdminUrl());
    const db = await openServerDatabase(database.url);
    return {
      db,
      cli: { args: [], env: { DATABASE_URL: database.url } },
      async dispose() {
        await db.close();
        await dropDatabase(database);
      },
    };
  }
  const snapshot = new Blob([fs.readFileSync(inject('embeddedSnapshot'))]);
  const db = await openEmbeddedDatabase({ loadDataDir: snapshot });
  return { db, cli: { args: [], env: {} }, dispose: () => db.close() };
}

/**
 * A migrated database that child processes (the CLI) can open: an on-disk PGlite directory
 * copied from the template, or a cloned server database. Nothing is held open by the test.
 */
export async function createCliDatabase(): Promise<{ args: string[]; env: Record<string, string>; dispose(): Promise<void> }> {
  const templateUrl = inject('serverTemplateUrl');
  if (templateUrl) {
    const database = await cloneTemplateDatabase(templateUrl, serverAdminUrl());
    return { args: [], env: { DATABASE_URL: database.url }, dispose: () => dropDatabase(database) };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-cli-'));
  const dataDir = path.join(dir, 'db');
  fs.cpSync(inject('embeddedDataDir'), dataDir, { recursive: true });
  return { args: ['--db', dataDir], env: {}, dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}
