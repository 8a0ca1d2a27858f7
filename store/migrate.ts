/**
 * Applies the SQL migrations in prisma/migrations and records them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does, so that Prisma's own CLI (where its engine can run)
 * sees them as applied. Each migration runs in its own transaction under Prisma's advisory lock
 * key, so concurrent migrators on one server apply each migration once.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlClient } from './db/Database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

/** The advisory lock key Prisma's schema engine takes while migrating. */
const PRISMA_MIGRATION_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrateResult {
  readonly applied: string[];
  readonly alreadyApplied: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Reads `<dir>/<timestamp>_<name>/migration.sql` folders in name order. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function migrate(db: Database, dir: string = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  // Under the lock too: two migrators creating the table at once would collide.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [PRISMA_MIGRATION_LOCK]);
    await tx.exec(CREATE_MIGRATIONS_TABLE);
  });
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  for (const migration of migrations) {
    const wasApplied = await db.transaction((tx) => applyOnce(tx, migration));
    (wasApplied ? applied : alreadyApplied).push(migration.name);
  }
  return { applied, alreadyApplied };
}

/** Names of migrations not yet applied (for `migrate --status` and start-up checks). */
export async function pendingMigrations(db: Database, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const [{ exists }] = (await db.sql.query<{ exists: boolean }>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
  )) as [{ exists: boolean }];
  if (!exists) return migrations.map((migration) => migration.name);
  const done = new Set((await findApplied(db.sql)).map((row) => row.migration_name));
  return migrations.filter((migration) => !done.has(migration.name)).map((migration) => migration.name);
}

interface AppliedRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
}

async function findApplied(sql: SqlClient, name?: string): Promise<AppliedRow[]> {
  return sql.query<AppliedRow>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
        AND ($1::text IS NULL OR migration_name = $1)`,
    [name ?? null],
  );
}

/** Applies one migration inside `tx` unless it is already recorded; true when it applied it. */
async function applyOnce(tx: SqlClient, migration: Migration): Promise<boolean> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [PRISMA_MIGRATION_LOCK]);
  const [existing] = await findApplied(tx, migration.name);
  if (existing) {
    if (existing.checksum !== migration.checksum) {
      throw new MigrationError(
        `migration ${migration.name} was changed after it was applied ` +
          `(recorded checksum ${existing.checksum}, file ${migration.checksum}); add a new migration instead`,
      );
    }
    return false;
  }
  const startedAt = new Date();
  try {
    await tx.exec(migration.sql);
  } catch (error) {
    throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
  await tx.query(
    `INSERT INTO "_prisma_migrations"
       (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
     VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
    [randomUUID(), migration.checksum, migration.name, startedAt.toISOString()],
  );
  return true;
}
