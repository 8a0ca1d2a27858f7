/**
 * An exclusive lock on an embedded data directory. PGlite takes none of its own, and a second
 * process opening the same directory silently loses its writes, so every opener goes through
 * here first.
 *
 * The lock is a file beside the data directory holding the owner's pid. It is written in full to
 * a private file first and then hard-linked into place, so it appears atomically: a reader never
 * sees a half-written lock and mistakes it for a stale one. A lock whose pid is no longer alive (a
 * crashed process) is taken over; the takeover runs under a second, short-lived guard file, so
 * two processes that both found the same stale lock cannot both remove it (the second would
 * otherwise remove the first one's fresh lock and both would hold the directory).
 */
import { randomBytes } from 'node:crypto';
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

const ATTEMPTS = 50;
const GUARD_BUSY_WAIT_MS = 10;

/** Takes the lock or throws DataDirLockedError naming the process that holds it. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockFile = lockFileFor(dataDir);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const contents: LockContents = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createAtomically(lockFile, JSON.stringify(contents))) {
      return { lockFile, release: () => releaseIfOwned(lockFile) };
    }
    const holder = readHolder(lockFile);
    // This very process holding it means a second open here, which loses writes just the same.
    if (holder && (holder.pid === process.pid || isAlive(holder.pid))) {
      throw new DataDirLockedError(path.resolve(dataDir), holder.pid, lockFile);
    }
    if (!removeStaleLock(lockFile, holder?.pid)) sleepSync(GUARD_BUSY_WAIT_MS);
  }
  throw new Error(`could not take the lock ${lockFile}: other processes keep taking it over`);
}

/** Creates `file` with `text` as one atomic step; false when it already exists. */
function createAtomically(file: string, text: string): boolean {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(draft, text, { flag: 'wx' });
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/**
 * Removes the lock if it is still the stale one that was judged (held by `stalePid`, or
 * unreadable). Returns false when another process is doing a takeover right now.
 */
function removeStaleLock(lockFile: string, stalePid: number | undefined): boolean {
  const guard = `${lockFile}.takeover`;
  if (!createAtomically(guard, JSON.stringify({ pid: process.pid }))) {
    const guardHolder = readHolder(guard);
    // A guard left by a process that died mid-takeover would block every opener forever.
    if (guardHolder && !isAlive(guardHolder.pid)) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    const holder = readHolder(lockFile);
    if (holder?.pid === stalePid) fs.rmSync(lockFile, { force: true });
    return true;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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
