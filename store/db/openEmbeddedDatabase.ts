import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Database, Row, SqlClient } from './Database.ts';
import { acquireDataDirLock } from './dataDirLock.ts';

export interface EmbeddedOptions {
  /** A PGlite data directory: created when missing. Absent: an in-memory database (tests). */
  readonly dataDir?: string;
  /** A tarball from `dumpDataDir` to start from instead of an empty cluster (tests). */
  readonly loadDataDir?: Blob;
}

/** Opens PGlite with pgvector, after taking the data directory's lock. */
export async function openEmbeddedDatabase(options: EmbeddedOptions): Promise<Database & { pglite: PGlite }> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const lock = dataDir ? acquireDataDirLock(dataDir) : undefined;
  try {
    if (dataDir) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    const pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: { vector },
    });
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      mode: 'embedded',
      location: dataDir ?? 'memory',
      pglite,
      sql: sqlClientOver(pglite),
      prisma,
      transaction: (work) => pglite.transaction((tx) => work(sqlClientOver(tx))),
      withSession: (work) => work(sqlClientOver(pglite)),
      async close() {
        try {
          await prisma.$disconnect();
          await pglite.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

function sqlClientOver(target: PGlite | Transaction): SqlClient {
  return {
    async query<R extends Row>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<R>(text, params as unknown[]);
      return result.rows;
    },
    async exec(text: string) {
      await target.exec(text);
    },
  };
}
