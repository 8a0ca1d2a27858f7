import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, MigrationError, migrate, pendingMigrations, readMigrations } from '../../store/migrate.ts';
import { loadConfig } from '../../config.ts';
import { openServerDatabase } from '../../store/db/openServerDatabase.ts';
import { createDatabase, dropDatabase } from '../support/serverTemplate.ts';
import { openTestDatabase, testedMode, type TestDatabase } from '../support/testDatabase.ts';

describe('migrate', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabase();
  });
  afterEach(async () => {
    await test.dispose();
  });

  it('records every migration in _prisma_migrations as Prisma does', async () => {
    const rows = await test.db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; rolled_back_at: Date | null; id: string }>(
      'SELECT * FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const folders = fs.readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(rows.map((row) => row.migration_name)).toEqual(folders.map((folder) => folder.name).sort());
    for (const row of rows) {
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('is idempotent: a second run applies nothing and changes no record', async () => {
    const before = await test.db.sql.query('SELECT * FROM "_prisma_migrations" ORDER BY id');
    const result = await migrate(test.db);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.length).toBe(before.length);
    expect(await test.db.sql.query('SELECT * FROM "_prisma_migrations" ORDER BY id')).toEqual(before);
    expect(await pendingMigrations(test.db)).toEqual([]);
  });

  it('creates pgvector and the tables the schema declares', async () => {
    const [extension] = await test.db.sql.query<{ extversion: string }>(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    expect(extension?.extversion).toMatch(/^0\.\d+\.\d+$/);
    const tables = await test.db.sql.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.map((table) => table.tablename)).toEqual(
      expect.arrayContaining(['app_user', 'item', 'event', 'embedding', 'modality', 'feature_set', 'feature_set_version', 'feature_value', 'model_version', 'training_run', 'materialization_run', 'lineage_edge', 'schedule', 'api_key']),
    );
  });

  it('refuses a migration whose file changed after it was applied, and applies a new one in a transaction', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-migrations-'));
    try {
      fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const [first] = await readMigrations(dir);
      fs.mkdirSync(path.join(dir, '29990101000000_broken'));
      // The first statement succeeds and the second fails: the transaction must undo the first.
      fs.writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE probe (id int);\nSELECT * FROM no_such_table;\n');
      await expect(migrate(test.db, dir)).rejects.toThrow(/29990101000000_broken failed/);
      const [probe] = await test.db.sql.query<{ exists: boolean }>(`SELECT to_regclass('probe') IS NOT NULL AS exists`);
      expect(probe?.exists).toBe(false);
      expect(await pendingMigrations(test.db, dir)).toEqual(['29990101000000_broken']);

      fs.rmSync(path.join(dir, '29990101000000_broken'), { recursive: true });
      fs.appendFileSync(path.join(dir, first!.name, 'migration.sql'), '\n-- edited\n');
      await expect(migrate(test.db, dir)).rejects.toThrow(MigrationError);
      await expect(migrate(test.db, dir)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets Prisma read what raw SQL wrote, through the same connection', async () => {
    await test.db.sql.query(`INSERT INTO app_user (external_id, metadata) VALUES ('u1', '{"age": 30}')`);
    const user = await test.db.prisma.user.findUnique({ where: { externalId: 'u1' } });
    expect(user?.metadata).toEqual({ age: 30 });
  });
});

describe.skipIf(testedMode !== 'server')('migrate on a server', () => {
  it('applies each migration once when several processes migrate an empty database at once', async () => {
    const { database } = loadConfig();
    if (database.mode !== 'server') throw new Error('DATABASE_URL is not set');
    const empty = await createDatabase(database.url, `synthstore_empty_${process.pid}_${Date.now()}`);
    const connections = await Promise.all([1, 2, 3].map(() => openServerDatabase(empty.url)));
    try {
      const results = await Promise.all(connections.map((db) => migrate(db)));
      const applied = results.flatMap((result) => result.applied);
      expect(applied.sort()).toEqual((await readMigrations()).map((migration) => migration.name));
      const [{ count }] = (await connections[0]!.sql.query<{ count: number }>('SELECT count(*)::int AS count FROM "_prisma_migrations"')) as [{ count: number }];
      expect(count).toBe(applied.length);
    } finally {
      await Promise.all(connections.map((db) => db.close()));
      await dropDatabase(empty);
    }
  });
});
