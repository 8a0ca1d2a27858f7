import cliProgress from 'cli-progress';
import type { TrainHooks } from '../ml/train/trainModel.ts';

/** A progress bar over an epoch's batches with the running loss; silent when stderr is not a terminal. */
export function trainingProgress(): TrainHooks & { stop(): void } {
  if (!process.stderr.isTTY) return { stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | loss {loss} | val {validation}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let validation = '-';
  return {
    onBatch({ epoch, epochs, batch, batches, loss }) {
      if (!started) bar.start(batches, 0, { epoch, epochs, loss: '-', validation });
      started = true;
      if (batch === 1) bar.setTotal(batches);
      bar.update(batch, { epoch, epochs, loss: loss.toFixed(4), validation });
    },
    onEpoch(record) {
      const metrics = record.validation;
      if (metrics) validation = metrics.auc !== undefined ? `auc ${metrics.auc.toFixed(4)}` : `loss ${metrics.loss.toFixed(4)}`;
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
