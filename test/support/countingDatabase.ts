import type { Database, SqlClient } from '../../store/db/Database.ts';

/** A view of `db` that counts every statement it runs, raw SQL and Prisma operations alike. */
export function countingDatabase(db: Database): { db: Database; count(): number; reset(): void } {
  let statements = 0;
  const sql: SqlClient = {
    query: (text, params) => (statements++, db.sql.query(text, params)),
    exec: (text) => (statements++, db.sql.exec(text)),
  };
  const prisma = db.prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        statements++;
        return query(args);
      },
    },
  }) as unknown as Database['prisma'];
  return { db: { ...db, sql, prisma }, count: () => statements, reset: () => void (statements = 0) };
}
