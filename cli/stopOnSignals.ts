import type pino from 'pino';

/**
 * An AbortSignal that SIGINT or SIGTERM aborts, so a long-running command (worker, serve) stops
 * after the work in hand; `release` removes the handlers once the command is done.
 */
export function stopOnSignals(log: pino.Logger, message: string): { readonly signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  const onSignal = (signal: string) => {
    log.info({ signal }, message);
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
