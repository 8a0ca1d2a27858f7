import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Database, Row, SqlClient } from './Database.ts';

// int8 (counts, bigserial ids) as JS numbers, as PGlite returns them: ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Connects to a PostgreSQL server; one pool serves both raw SQL and Prisma. */
export async function openServerDatabase(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server closes (restart, pg_terminate_backend) emits 'error' on the
  // pool, which would crash the process unhandled; the pool replaces it on the next query.
  pool.on('error', () => undefined);
  // Fail now, with the server's own message, rather than at the first query.
  const probe = await pool.connect().catch(async (error: unknown) => {
    await pool.end();
    throw new Error(`cannot connect to ${redactPassword(url)}: ${(error as Error).message}`, { cause: error });
  });
  probe.release();
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    mode: 'server',
    location: redactPassword(url),
    sql: sqlClientOver(pool),
    prisma,
    transaction: (work) => inTransaction(pool, work),
    withSession: (work) => onOwnConnection(pool, work),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function inTransaction<T>(pool: pg.Pool, work: (tx: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(sqlClientOver(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function onOwnConnection<T>(pool: pg.Pool, work: (session: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await work(sqlClientOver(client));
    client.release();
    return result;
  } catch (error) {
    // Its session state (settings, advisory locks) is unknown now: closed rather than reused.
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

function sqlClientOver(target: pg.Pool | pg.PoolClient): SqlClient {
  return {
    async query<R extends Row>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<R>(text, params as unknown[]);
      return result.rows;
    },
    async exec(text: string) {
      await target.query(text);
    },
  };
}

export function redactPassword(url: string): string {
  return url.replace(/(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
