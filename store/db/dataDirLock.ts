/**
 * An exclusive lock on an embedded data directory. PGlite takes none of its own, and a second
 * process opening the same directory silently loses its writes, so every opener goes through
 * here first.
 *
 * The lock is a file created with O_EXCL beside the data directory, holding the owner's pid.
 * A lock whose pid is no longer alive (a crashed process) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  readonly dataDir: string;
  readonly holderPid: number;
  readonly lockFile: string;

  constructor(dataDir: string, holderPid: number, lockFile: string) {
    super(
      `the data directory ${dataDir} is in use by process ${holderPid} (lock file ${lockFile}); ` +
        'stop that process or use another --db directory',
    );
    this.dataDir = dataDir;
    this.holderPid = holderPid;
    this.lockFile = lockFile;
  }
}

export interface DataDirLock {
  readonly lockFile: string;
  release(): void;
}

interface LockContents {
  pid: number;
  host: string;
  since: string;
}

export function lockFileFor(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

/** Takes the lock or throws DataDirLockedError naming the process that holds it. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockFile = lockFileFor(dataDir);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const contents: LockContents = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  // Two attempts: the second one follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, JSON.stringify(contents), { flag: 'wx' });
      return { lockFile, release: () => releaseIfOwned(lockFile) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(lockFile);
      // This very process holding it means a second open here, which loses writes just the same.
      if (holder && (holder.pid === process.pid || isAlive(holder.pid))) {
        throw new DataDirLockedError(path.resolve(dataDir), holder.pid, lockFile);
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lockFile}: another process keeps recreating it`);
}

function readHolder(lockFile: string): LockContents | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as Partial<LockContents>;
    return typeof parsed.pid === 'number' ? (parsed as LockContents) : undefined;
  } catch {
    // A lock file that vanished or was half-written by a crashed process counts as stale.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOwned(lockFile: string): void {
  if (readHolder(lockFile)?.pid === process.pid) fs.rmSync(lockFile, { force: true });
}
