/**
 * The store's connection to PostgreSQL, whichever way it is provided.
 *
 * Glossary:
 * - embedded: PGlite (PostgreSQL in WebAssembly, in-process) on a local data directory.
 * - server: a PostgreSQL 15+ server with pgvector, reached through `DATABASE_URL`.
 * - SqlClient: parameterized SQL for the hot paths (batched upserts, vector reads); Prisma's
 *   client (`prisma`) serves plain relational CRUD over the same database.
 */
import type { PrismaClient } from '../generated/prisma/client.ts';

export type Row = Record<string, unknown>;

/** Runs parameterized SQL; inside `transaction` every statement joins that transaction. */
export interface SqlClient {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs SQL with several statements and no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database {
  readonly mode: 'embedded' | 'server';
  /** Where the data lives, for messages: a directory or a URL without its password. */
  readonly location: string;
  readonly sql: SqlClient;
  readonly prisma: PrismaClient;
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one connection outside any transaction, for statements that refuse to run in
   * one (CREATE INDEX CONCURRENTLY) and need session settings or session advisory locks around
   * them. On the server a connection of its own; on PGlite the one session every caller shares,
   * so `work` must undo whatever session state it sets.
   */
  withSession<T>(work: (session: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
