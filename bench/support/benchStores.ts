/**
 * The stores a benchmark runs on, side by side in one run: an in-memory PGlite (the embedded
 * store without disk writes: PGlite on disk is several times slower for bulk writes, which would
 * measure the file system rather than the store) and, when DATABASE_URL names a server, a
 * temporary database created beside it and dropped afterwards (never another database).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config.ts';
import type { Database } from '../../store/db/Database.ts';
import { openEmbeddedDatabase } from '../../store/db/openEmbeddedDatabase.ts';
import { openServerDatabase } from '../../store/db/openServerDatabase.ts';
import { migrate } from '../../store/migrate.ts';
import { createDatabase, dropDatabase } from '../../test/support/serverTemplate.ts';

export type StoreKind = 'embedded' | 'server';

export interface BenchStore {
  readonly kind: StoreKind;
  /** "PGlite (in memory)" or "PostgreSQL 15.x server". */
  readonly label: string;
  readonly db: Database;
  /** For pg-boss: the raw embedded database (with its PGlite) or the server URL. */
  readonly queue: { readonly db: Database; readonly url?: string };
  close(): Promise<void>;
}

/** The requested store kinds that can run here, and why the others cannot. */
export function availableStores(requested: readonly StoreKind[]): { kinds: StoreKind[]; skipped: string[] } {
  const config = loadConfig();
  const kinds: StoreKind[] = [];
  const skipped: string[] = [];
  for (const kind of requested) {
    if (kind === 'server' && config.database.mode !== 'server') skipped.push('server: DATABASE_URL is not set');
    else kinds.push(kind);
  }
  return { kinds, skipped };
}

export async function openBenchStore(kind: StoreKind): Promise<BenchStore> {
  if (kind === 'embedded') {
    const db = await openEmbeddedDatabase({});
    await migrate(db);
    const [row] = await db.sql.query<{ server_version: string }>('SHOW server_version');
    return { kind, label: `PGlite ${row?.server_version ?? ''} (in memory)`, db, queue: { db }, close: () => db.close() };
  }
  const config = loadConfig();
  if (config.database.mode !== 'server') throw new Error('the server store needs DATABASE_URL');
  const server = await createDatabase(config.database.url, `synthstore_bench_${randomBytes(4).toString('hex')}`);
  try {
    const db = await openServerDatabase(server.url);
    await migrate(db);
    const [row] = await db.sql.query<{ server_version: string }>('SHOW server_version');
    return {
      kind,
      label: `PostgreSQL ${row?.server_version.split(' ')[0] ?? ''} server`,
      db,
      queue: { db, url: server.url },
      async close() {
        try {
          await db.close();
        } finally {
          await dropDatabase(server);
        }
      },
    };
  } catch (error) {
    await dropDatabase(server);
    throw error;
  }
}

export function parseStores(value: string | undefined): StoreKind[] {
  const kinds = (value ?? 'embedded,server').split(',').map((kind) => kind.trim());
  for (const kind of kinds) if (kind !== 'embedded' && kind !== 'server') throw new Error(`--stores: expected embedded and/or server, got "${kind}"`);
  return kinds as StoreKind[];
}
