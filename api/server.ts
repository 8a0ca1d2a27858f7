/**
 * The API server: Apollo Server at /graphql (other routes on Express), over a store that is already open.
 * Every request is authenticated (api/auth.ts) before any resolver runs and gets its own
 * DataLoaders; query depth, cost, aliases and tokens are limited (graphql-armor) so that one
 * request cannot take the store down; errors are mapped to stable codes (api/errors.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import type pino from 'pino';
import type { PgBoss } from 'pg-boss';
import type { Database } from '../store/db/Database.ts';
import { Scorer } from '../ml/serving/Scorer.ts';
import { ServingModels } from '../ml/serving/ServingModels.ts';
import { Authenticator } from './auth.ts';
import type { ApiContext } from './context.ts';
import { toClientError } from './errors.ts';
import { FeatureReadCache, type FeatureReadCacheOptions } from './FeatureReadCache.ts';
import { graphqlHttpHandler } from './graphqlHttpHandler.ts';
import { createLoaders } from './loaders.ts';
import { buildSchema } from './schema.ts';

export interface ApiServerOptions {
  readonly db: Database;
  readonly queue: PgBoss;
  readonly log: pino.Logger;
  /** Default 4000; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Extra routes mounted before /graphql (the web console). */
  readonly mount?: (app: express.Express) => void;
  /** How online feature reads are kept in memory (tests that count statements lengthen the resolution TTL). */
  readonly featureReads?: FeatureReadCacheOptions;
}

export interface RunningApiServer {
  /** http://host:port/graphql */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Limits of one request: deep nesting, huge costs and alias floods are refused before execution. */
export const QUERY_LIMITS = { maxDepth: 12, maxCost: 20_000, maxAliases: 20, maxTokens: 10_000 } as const;

/** The largest /graphql request body accepted (bulk ingest mutations carry thousands of records). */
export const MAX_REQUEST_BODY_BYTES = 32 * 2 ** 20;

function isGraphqlPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0];
  return path === '/graphql' || path === '/graphql/';
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const { db, queue, log } = options;
  const models = new ServingModels(db);
  const scorer = new Scorer(db, models, {
    onRetrievalLoadError: (error, versionId) => log.warn({ err: error, versionId }, 'loading the in-memory retrieval index failed; recommendations search the HNSW index'),
  });
  const authenticator = new Authenticator(db);
  const featureReads = new FeatureReadCache(options.featureReads);
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are POST responses that no client revalidates: hashing each body for an ETag is wasted work.
  app.set('etag', false);
  let graphql: ((request: http.IncomingMessage, response: http.ServerResponse) => void) | undefined;
  // /graphql goes straight to Apollo (api/graphqlHttpHandler.ts); every other route to Express.
  const httpServer = http.createServer((request, response) => {
    if (graphql !== undefined && isGraphqlPath(request.url)) graphql(request, response);
    else app(request, response);
  });
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth },
    costLimit: { maxCost: QUERY_LIMITS.maxCost },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxTokens: { n: QUERY_LIMITS.maxTokens },
    blockFieldSuggestion: { enabled: true },
  });
  const protection = armor.protect();
  const apollo = new ApolloServer<ApiContext>({
    schema: buildSchema(),
    // graphql-armor is typed against Apollo's CommonJS build; the plugins are the same objects.
    plugins: [...(protection.plugins as unknown as ApolloServerPlugin<ApiContext>[]), ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(),
      // The schema declares no cache hints, so the cache-control plugin would only wrap every
      // resolver (willResolveField) to conclude "no-store": the route below says so directly.
      ApolloServerPluginCacheControlDisabled()],
    validationRules: protection.validationRules,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => toClientError(error, log, formatted.extensions?.code),
  });
  await apollo.start();
  app.get('/health', (_request, response) => void response.json({ ok: true }));
  options.mount?.(app);
  const handler = graphqlHttpHandler(apollo, {
    maxBodyBytes: MAX_REQUEST_BODY_BYTES,
    context: async ({ req }) => ({ db, scorer, queue, log, authenticator, featureReads, viewer: await authenticator.authenticate(req.headers), loaders: createLoaders(db) }),
  });
  graphql = (request, response) => {
    response.setHeader('cache-control', 'no-store');
    handler(request, response);
  };
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 4000, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}/graphql`,
    port: address.port,
    async close() {
      await apollo.stop();
      await models.dispose();
    },
  };
}
