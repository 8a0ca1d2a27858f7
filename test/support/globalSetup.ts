/**
 * Prepares one migrated database that every test file copies, so no test pays for initdb and
 * migrations: a PGlite data-dir tarball (embedded) or a template database (server, when
 * DATABASE_URL is set).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../config.ts';
import { openEmbeddedDatabase } from '../../store/db/openEmbeddedDatabase.ts';
import { migrate } from '../../store/migrate.ts';
import { createTemplateDatabase, dropTemplateDatabase } from './serverTemplate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Tarball of a migrated PGlite cluster. */
    embeddedSnapshot: string;
    /** A migrated on-disk PGlite data directory, to copy for CLI tests. */
    embeddedDataDir: string;
    /** DATABASE_URL of the server template database, or '' when testing embedded only. */
    serverTemplateUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-test-'));
  const dataDir = path.join(workDir, 'template-db');
  const db = await openEmbeddedDatabase({ dataDir });
  await migrate(db);
  const snapshot = path.join(workDir, 'migrated.tar.gz');
  const dump = await db.pglite.dumpDataDir('gzip');
  fs.writeFileSync(snapshot, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  project.provide('embeddedSnapshot', snapshot);
  project.provide('embeddedDataDir', dataDir);

  const { database } = loadConfig();
  const template = database.mode === 'server' ? await createTemplateDatabase(database.url) : undefined;
  project.provide('serverTemplateUrl', template?.url ?? '');

  return async () => {
    if (template) await dropTemplateDatabase(template);
    fs.rmSync(workDir, { recursive: true, force: true });
  };
}
