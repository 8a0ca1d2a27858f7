/**
 * Builds the web console (console/) into console/dist with Vite; the API server serves it at
 * /console. `--if-stale` skips the build when console/dist is newer than every source file and
 * the lockfile, so `npm ci`, scripts/setup.sh and the console tests can all call it cheaply.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const consoleDir = path.join(root, 'console');
const builtIndex = path.join(consoleDir, 'dist', 'index.html');

function newestSource(): number {
  let newest = fs.statSync(path.join(root, 'package-lock.json')).mtimeMs;
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('dist') || entry.name === 'node_modules') continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  };
  visit(consoleDir);
  return newest;
}

export function isConsoleStale(): boolean {
  return !fs.existsSync(builtIndex) || fs.statSync(builtIndex).mtimeMs < newestSource();
}

/**
 * Builds beside console/dist and swaps the new build in, so that a server serving the console
 * (or a test reading it) never sees a half-written directory.
 */
export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  const dist = path.join(consoleDir, 'dist');
  const next = path.join(consoleDir, 'dist.next');
  const old = path.join(consoleDir, 'dist.old');
  fs.rmSync(next, { recursive: true, force: true });
  await build({ configFile: path.join(consoleDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: next, emptyOutDir: true } });
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(next, dist);
  fs.rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && !isConsoleStale()) {
    console.error('[console] console/dist is up to date');
  } else {
    const started = performance.now();
    await buildConsole();
    console.error(`[console] built console/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
