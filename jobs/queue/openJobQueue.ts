/**
 * The store's job queue: pg-boss in the store's own database (schema `pgboss`, created and
 * migrated by pg-boss on start).
 * - server: pg-boss's own small pool to DATABASE_URL (so it can also LISTEN);
 * - embedded: pg-boss's PGlite adapter over the store's PGlite instance. PGlite runs one statement
 *   or transaction at a time for all its users, so pg-boss and the store share it safely, and
 *   the data directory lock keeps every worker in this one process.
 */
import type { PGlite } from '@electric-sql/pglite';
import { fromPglite, PgBoss } from 'pg-boss';
import type { DatabaseConfig } from '../../config.ts';
import type { Database } from '../../store/db/Database.ts';

export const QUEUES = {
  /** Plan a materialization run; its partitions are then claimed by every worker. */
  materialize: 'synthstore-materialize',
  train: 'synthstore-train',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobQueueOptions {
  /** Where pg-boss's background errors go (they are not thrown). */
  readonly onError?: (error: Error) => void;
  /** pg-boss maintenance (expiring, retrying and deleting jobs); default true. Off for one-shot commands. */
  readonly supervise?: boolean;
}

export async function openJobQueue(db: Database, database: DatabaseConfig, options: JobQueueOptions = {}): Promise<PgBoss> {
  const supervise = options.supervise ?? true;
  const common = { supervise, schedule: false, migrate: true, registerInstance: supervise, monitorVacuum: false } as const;
  let boss: PgBoss;
  if (db.mode === 'embedded') {
    const pglite = pgliteOf(db);
    boss = new PgBoss({ ...common, db: fromPglite(pglite as never), backend: 'pglite' });
  } else {
    if (database.mode !== 'server') throw new Error('a server store needs a server database configuration for its job queue');
    boss = new PgBoss({ ...common, connectionString: database.url, max: 3 });
  }
  boss.on('error', (error: Error) => options.onError?.(error));
  await boss.start();
  // Planning is not retried by the queue: a plan that crashed after committing would run twice.
  // Partitions are retried by their leases, schedules fire again at their next occurrence.
  await boss.createQueue(QUEUES.materialize, { retryLimit: 0, expireInSeconds: 15 * 60 });
  await boss.createQueue(QUEUES.train, { retryLimit: 1, expireInSeconds: 6 * 60 * 60 });
  return boss;
}

function pgliteOf(db: Database): PGlite {
  const pglite = (db as Database & { pglite?: PGlite }).pglite;
  if (!pglite) throw new Error('an embedded store opened without its PGlite instance: open it with openDatabase');
  return pglite;
}
