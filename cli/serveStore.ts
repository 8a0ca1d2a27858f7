/**
 * Serving an open store until the process is told to stop: the GraphQL API, the web console at
 * /console and, by default, a worker in the same process (on the embedded store it is the only
 * process that can run one; on a server database more workers may run elsewhere). Shared by
 * `serve` and `start`.
 */
import type pino from 'pino';
import { mountConsole } from '../api/console.ts';
import { startApiServer, type RunningApiServer } from '../api/server.ts';
import type { Config } from '../config.ts';
import { ensureBackend } from '../jobs/ensureBackend.ts';
import { DEFAULT_MATERIALIZE_SETTINGS } from '../jobs/interfaces.ts';
import { openJobQueue } from '../jobs/queue/openJobQueue.ts';
import { runWorker } from '../jobs/worker.ts';
import { stopOnSignals } from './stopOnSignals.ts';
import type { Database } from '../store/db/Database.ts';

export interface ServeOptions {
  readonly worker: boolean;
  /** Called once the API listens. */
  readonly onReady?: (server: RunningApiServer) => Promise<void> | void;
}

/** Serves until SIGINT or SIGTERM, then stops the worker after its work in hand and closes the API. */
export async function serveStore(db: Database, log: pino.Logger, config: Config, options: ServeOptions): Promise<void> {
  const backend = await ensureBackend(config.backend);
  const queue = await openJobQueue(db, config.database, { onError: (error) => log.warn({ err: error }, 'job queue error') });
  const stop = stopOnSignals(log, 'stopping');
  let server: RunningApiServer | undefined;
  try {
    server = await startApiServer({ db, queue, log, port: config.server.port, host: config.server.host, mount: mountConsole });
    log.info({ url: server.url, backend: backend.name, worker: options.worker }, 'serving');
    await options.onReady?.(server);
    if (options.worker) {
      await runWorker({ db, log, backend: config.backend }, queue, { settings: DEFAULT_MATERIALIZE_SETTINGS, pollMs: 500, signal: stop.signal });
    } else {
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } finally {
    stop.release();
    await server?.close();
    await queue.stop({ graceful: true, close: true, timeout: 5_000 });
  }
}
