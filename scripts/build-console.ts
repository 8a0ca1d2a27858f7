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
      if (entry.name === 'dist' || entry.name === 'node_modules') continue;
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

export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: path.join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
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
