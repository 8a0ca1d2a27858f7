/**
 * The web console's static files at /console, from console/dist (built by `npm run
 * build:console`, which `npm ci` runs). The console talks to /graphql with the API key its user
 * enters, so serving the files needs no authentication: they hold no data. Without a build,
 * /console answers 503 with how to build it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

export const CONSOLE_PATH = '/console';
export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist', import.meta.url));

/**
 * The console runs only its own bundle and talks only to this server: no inline or remote script,
 * which also keeps the session's API key out of reach of injected code. Inline styles are allowed
 * (React style attributes, GraphiQL's editor); workers and fonts come from the bundle or blobs.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export const NOT_BUILT_MESSAGE = 'The synthstore console is not built. Build it with `npm run build:console` (npm ci does it too), then reload this page.';

/** Mounts the console on `app`; pass as `mount` to startApiServer. */
export function mountConsole(app: express.Express, dist: string = CONSOLE_DIST): void {
  const index = path.join(dist, 'index.html');
  const files = express.static(dist, {
    index: 'index.html',
    // Hashed asset names never change content; index.html must be re-read after a rebuild.
    setHeaders(response, file) {
      response.setHeader('content-security-policy', CONSOLE_CSP);
      response.setHeader('x-content-type-options', 'nosniff');
      response.setHeader('cache-control', file.startsWith(path.join(dist, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.use(CONSOLE_PATH, (request, response, next) => {
    if (!fs.existsSync(index)) {
      response.status(503).type('text/plain').send(NOT_BUILT_MESSAGE + '\n');
      return;
    }
    files(request, response, next);
  });
}
