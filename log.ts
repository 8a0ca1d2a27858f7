import pino from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.ts';

/**
 * Logs on stderr, so that stdout stays free for results (`--json`): readable lines on a
 * terminal, one JSON object per line otherwise (CI, log collectors).
 */
export function createLogger(level: Config['logLevel']): pino.Logger {
  const destination = process.stderr.isTTY
    ? pretty({ destination: 2, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' })
    : pino.destination(2);
  return pino({ level, base: undefined }, destination);
}
