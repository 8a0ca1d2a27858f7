import cliProgress from 'cli-progress';

export interface Progress {
  advance(amount: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (CI, pipes). */
export function startProgress(label: string, total: number, unit = 'bytes'): Progress {
  if (!process.stderr.isTTY || total <= 0) return { advance: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let done = 0;
  return {
    advance(amount) {
      done = Math.min(total, done + amount);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
