import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './runCli.ts';

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `synthstore <args>` and resolves once it prints the API's URL on stdout. */
export function spawnServer(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<ServerProcess> {
  const { DATABASE_URL: _ignored, SYNTHSTORE_DB_DIR: _alsoIgnored, ...inherited } = process.env;
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...inherited, SYNTHSTORE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no URL printed within ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/[\w.]+:\d+\/graphql)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          // The server listens on 127.0.0.1; "localhost" may resolve to ::1 first.
          url: match[1]!.replace('//localhost:', '//127.0.0.1:'),
          child,
          stdout: () => out,
          stderr: () => err,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before serving; stderr:\n${err}`));
    });
  });
}
