import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, lockFileFor } from '../../store/db/dataDirLock.ts';
import { openEmbeddedDatabase } from '../../store/db/openEmbeddedDatabase.ts';
import { runCli } from '../support/runCli.ts';
import { inject } from 'vitest';

describe('embedded data directory lock', () => {
  let dir: string;
  let dataDir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-lock-'));
    dataDir = path.join(dir, 'db');
    fs.cpSync(inject('embeddedDataDir'), dataDir, { recursive: true });
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second open in the same process, naming the holder', async () => {
    const db = await openEmbeddedDatabase({ dataDir });
    try {
      await expect(openEmbeddedDatabase({ dataDir })).rejects.toThrow(DataDirLockedError);
      await expect(openEmbeddedDatabase({ dataDir })).rejects.toThrow(`in use by process ${process.pid}`);
    } finally {
      await db.close();
    }
    expect(fs.existsSync(lockFileFor(dataDir))).toBe(false);
    const reopened = await openEmbeddedDatabase({ dataDir });
    await reopened.close();
  });

  it('refuses another process with a clear message naming this process', async () => {
    const db = await openEmbeddedDatabase({ dataDir });
    try {
      const result = await runCli(['--db', dataDir, 'stats', '--json']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`synthstore: error: the data directory ${dataDir} is in use by process ${process.pid}`);
    } finally {
      await db.close();
    }
    const after = await runCli(['--db', dataDir, 'stats', '--json']);
    expect(after.code).toBe(0);
  });

  it('takes over the lock of a process that died without releasing it', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    expect(dead.pid).toBeGreaterThan(0);
    fs.writeFileSync(lockFileFor(dataDir), JSON.stringify({ pid: dead.pid, host: os.hostname(), since: new Date().toISOString() }));
    const lock = acquireDataDirLock(dataDir);
    expect(JSON.parse(fs.readFileSync(lock.lockFile, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(lock.lockFile)).toBe(false);
  });

  it('lets exactly one of several processes racing for the same stale lock take it over', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    fs.writeFileSync(lockFileFor(dataDir), JSON.stringify({ pid: dead.pid, host: os.hostname(), since: new Date().toISOString() }));
    const startAt = Date.now() + 1500;
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => raceForLock(dataDir, startAt)));
    const winners = outcomes.filter((outcome) => outcome.startsWith('won'));
    expect(winners).toHaveLength(1);
    const winnerPid = winners[0]!.split(' ')[1];
    for (const outcome of outcomes.filter((o) => !o.startsWith('won'))) expect(outcome).toBe(`locked by ${winnerPid}`);
    expect(fs.existsSync(lockFileFor(dataDir))).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name !== 'db')).toEqual([]);
  });
});

/** A child process that waits until `startAt`, tries the lock, holds a won lock for a while, and says what happened. */
function raceForLock(dataDir: string, startAt: number): Promise<string> {
  const lockModule = new URL('../../store/db/dataDirLock.ts', import.meta.url).href;
  const script = `
    const { acquireDataDirLock } = await import(${JSON.stringify(lockModule)});
    while (Date.now() < ${startAt}) {}
    try {
      const lock = acquireDataDirLock(${JSON.stringify(dataDir)});
      process.stdout.write('won ' + process.pid);
      setTimeout(() => lock.release(), 1500);
    } catch (error) {
      process.stdout.write(error.holderPid ? 'locked by ' + error.holderPid : 'error ' + error.message);
    }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(output));
  });
}
