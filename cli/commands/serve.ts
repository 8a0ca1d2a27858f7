import type { Command } from 'commander';
import { withStore, type GlobalOptions } from '../openStore.ts';
import { serveStore } from '../serveStore.ts';

/** `synthstore serve`: the GraphQL API over an existing store (embedded or DATABASE_URL). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the GraphQL API at http://<host>:<port>/graphql, with a worker for queued training and materialization')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: $SYNTHSTORE_PORT or 4000)')
    .option('--host <host>', 'address to listen on (default: $SYNTHSTORE_HOST or 127.0.0.1)')
    .option('--no-worker', 'do not run queued jobs in this process (workers run elsewhere)')
    .action(async (options: { port?: string; host?: string; worker: boolean }, command: Command) => {
      const globals = { ...command.optsWithGlobals<GlobalOptions>(), ...(options.port ? { port: options.port } : {}), ...(options.host ? { host: options.host } : {}) };
      await withStore(globals, ({ db, log, config }) =>
        serveStore(db, log, config, {
          worker: options.worker,
          onReady: (server) => void console.log(JSON.stringify({ url: server.url })),
        }));
    });
}
