/**
 * A Database whose SQL is timed: every statement (inside transactions too) adds its wall time to
 * a label derived from its text, so a benchmark can say which statements a run spent its time
 * in. Labels: the first keyword and the table it targets (`INSERT feature_value`, `CREATE INDEX`),
 * or a caller's label for the statements issued inside `phase(label, work)`.
 */
import type { Database, Row, SqlClient } from '../store/db/Database.ts';

export interface StatementTimes {
  /** Seconds and statement counts per label, biggest first. */
  readonly byLabel: ReadonlyArray<{ readonly label: string; readonly seconds: number; readonly statements: number }>;
  readonly seconds: number;
}

export interface TimedDatabase {
  readonly db: Database;
  /** Statement times since the last reset. */
  times(): StatementTimes;
  reset(): void;
}

export function timeStatements(inner: Database): TimedDatabase {
  let totals = new Map<string, { seconds: number; statements: number }>();
  const add = (label: string, seconds: number) => {
    const entry = totals.get(label) ?? { seconds: 0, statements: 0 };
    entry.seconds += seconds;
    entry.statements++;
    totals.set(label, entry);
  };
  const wrap = (sql: SqlClient): SqlClient => ({
    async query<R extends Row>(text: string, params?: readonly unknown[]) {
      const started = performance.now();
      try {
        return await sql.query<R>(text, params);
      } finally {
        add(labelOf(text), (performance.now() - started) / 1000);
      }
    },
    async exec(text: string) {
      const started = performance.now();
      try {
        await sql.exec(text);
      } finally {
        add(labelOf(text), (performance.now() - started) / 1000);
      }
    },
  });
  const db: Database = {
    mode: inner.mode,
    location: inner.location,
    sql: wrap(inner.sql),
    prisma: inner.prisma,
    transaction: (work) => inner.transaction((tx) => work(wrap(tx))),
    withSession: (work) => inner.withSession((session) => work(wrap(session))),
    close: () => inner.close(),
  };
  return {
    db,
    times() {
      const byLabel = [...totals.entries()].map(([label, entry]) => ({ label, ...entry })).sort((a, b) => b.seconds - a.seconds);
      return { byLabel, seconds: byLabel.reduce((sum, entry) => sum + entry.seconds, 0) };
    },
    reset() {
      totals = new Map();
    },
  };
}

/**
 * `INSERT feature_value`, `COPY feature_value` (an INSERT ... SELECT from feature_value: the
 * incremental copy), `UPDATE materialization_run`, `SELECT item`, `CREATE INDEX`.
 */
export function labelOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const keyword = /^\(?\s*(\w+)/.exec(flat)?.[1]?.toUpperCase() ?? '?';
  if (['CREATE', 'DROP', 'SET', 'ANALYZE', 'BEGIN', 'COMMIT', 'ROLLBACK'].includes(keyword)) return flat.split(' ').slice(0, 2).join(' ').toUpperCase().replace(/;$/, '');
  const insert = /\bINSERT INTO "?(\w+)/i.exec(flat);
  if (insert) return `${insert[1] === 'feature_value' && /\b(JOIN|FROM) feature_value\b/i.test(flat) ? 'COPY' : 'INSERT'} ${insert[1]}`;
  const update = /\bUPDATE "?(\w+)"?(?: \w+)? SET\b/i.exec(flat) ?? /\bDELETE FROM "?(\w+)/i.exec(flat);
  if (update) return `${/\bDELETE FROM/i.test(flat) ? 'DELETE' : 'UPDATE'} ${update[1]}`;
  const read = /\bFROM "?(\w+)/i.exec(flat);
  return read ? `SELECT ${read[1]}` : keyword;
}
