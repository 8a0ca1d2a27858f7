/**
 * The one place the environment is read. Everything else receives a `Config` (or a part of it)
 * as an argument, so tests and the CLI can build one without touching `process.env`.
 */
import path from 'node:path';
import { z } from 'zod';

/** Where the store lives: an embedded PGlite data directory, or a PostgreSQL server. */
export type DatabaseConfig =
  | { readonly mode: 'embedded'; readonly dataDir: string }
  | { readonly mode: 'server'; readonly url: string };

/** The TensorFlow.js backend: tfjs-node when installed, else WebAssembly, else plain JS. */
export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export interface Config {
  readonly database: DatabaseConfig;
  readonly backend: BackendPreference;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the API server listens (`synthstore serve`, `npm start`). */
  readonly server: { readonly host: string; readonly port: number };
}

/** Values given on the command line; they win over the environment. */
export interface ConfigOverrides {
  readonly dbDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly backend?: string | undefined;
  readonly port?: string | undefined;
  readonly host?: string | undefined;
}

export const DEFAULT_PORT = 4000;

export const DEFAULT_DATA_DIR = '.synthstore/db';

const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  SYNTHSTORE_DB_DIR: z.string().min(1).optional(),
  SYNTHSTORE_BACKEND: z.enum(BACKEND_PREFERENCES).default('auto'),
  SYNTHSTORE_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  SYNTHSTORE_PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_PORT),
  SYNTHSTORE_HOST: z.string().min(1).default('127.0.0.1'),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment once, failing with the variable and what is wrong. */
export function loadConfig(
  overrides: ConfigOverrides = {},
  environment: NodeJS.ProcessEnv = process.env,
): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const env = parsed.data;
  return {
    database: chooseDatabase(overrides, env.DATABASE_URL, env.SYNTHSTORE_DB_DIR),
    backend: chooseBackend(overrides.backend ?? env.SYNTHSTORE_BACKEND),
    logLevel: env.SYNTHSTORE_LOG_LEVEL,
    server: { host: overrides.host ?? env.SYNTHSTORE_HOST, port: choosePort(overrides.port, env.SYNTHSTORE_PORT) },
  };
}

function choosePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`--port: expected a port number from 0 to 65535 (0: any free port), got "${value}"`);
  return port;
}

function chooseBackend(value: string): BackendPreference {
  if (!BACKEND_PREFERENCES.includes(value as BackendPreference)) {
    throw new ConfigError(`--backend: expected one of ${BACKEND_PREFERENCES.join(', ')}, got "${value}"`);
  }
  return value as BackendPreference;
}

function chooseDatabase(
  overrides: ConfigOverrides,
  envUrl: string | undefined,
  envDir: string | undefined,
): DatabaseConfig {
  // An explicit --db on the command line means "this embedded store", even if DATABASE_URL is set.
  if (overrides.dbDir) return { mode: 'embedded', dataDir: path.resolve(overrides.dbDir) };
  const url = overrides.databaseUrl ?? envUrl;
  if (url) return { mode: 'server', url };
  return { mode: 'embedded', dataDir: path.resolve(envDir ?? DEFAULT_DATA_DIR) };
}
