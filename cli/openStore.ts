import { loadConfig, type Config, type ConfigOverrides } from '../config.ts';
import { createLogger } from '../log.ts';
import type { Database } from '../store/db/Database.ts';
import { openDatabase } from '../store/db/openDatabase.ts';
import { pendingMigrations } from '../store/migrate.ts';
import type pino from 'pino';

export interface GlobalOptions {
  db?: string;
  databaseUrl?: string;
  backend?: string;
  /** serve and start: where the API listens. */
  port?: string;
  host?: string;
}

export interface StoreContext {
  readonly db: Database;
  readonly log: pino.Logger;
  readonly config: Config;
}

/** Opens the store the options and environment point at, runs `work`, and always closes it. */
export async function withStore<T>(
  options: GlobalOptions,
  work: (context: StoreContext) => Promise<T>,
  { requireMigrated = true } = {},
): Promise<T> {
  const overrides: ConfigOverrides = { dbDir: options.db, databaseUrl: options.databaseUrl, backend: options.backend, port: options.port, host: options.host };
  const config = loadConfig(overrides);
  const log = createLogger(config.logLevel);
  const db = await openDatabase(config.database);
  try {
    if (requireMigrated) await requireNoPendingMigrations(db);
    return await work({ db, log, config });
  } finally {
    await db.close();
  }
}

export class CliError extends Error {
  override name = 'CliError';
}

async function requireNoPendingMigrations(db: Database): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length > 0) {
    throw new CliError(`the store at ${db.location} has ${pending.length} pending migration(s) (${pending.join(', ')}): run \`synthstore migrate\` first`);
  }
}
