import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let cached: string | undefined;

/**
 * Identifies the code that trained a model, for lineage: the git commit (marked "+dirty" with
 * uncommitted changes), or the package version where there is no git checkout.
 */
export function codeVersion(): string {
  cached ??= fromGit() ?? fromPackage();
  return cached;
}

function fromGit(): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return undefined;
  }
}

function fromPackage(): string {
  const { version } = JSON.parse(fs.readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
  return `synthstore@${version}`;
}
