import { Option, type Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_MATERIALIZE_SETTINGS, type MaterializeHooks, type MaterializeSettings } from '../../jobs/interfaces.ts';
import { openJobQueue } from '../../jobs/queue/openJobQueue.ts';
import { runWorker } from '../../jobs/worker.ts';
import { CliError, withStore, type GlobalOptions } from '../openStore.ts';
import { stopOnSignals } from '../stopOnSignals.ts';

export interface SettingsOptions {
  leaseSeconds?: string;
  maxAttempts?: string;
  batchSize?: string;
}

interface WorkerCliOptions extends SettingsOptions {
  id?: string;
  pollMs: string;
  scheduleEvery: string;
  schedules: boolean;
  exitWhenIdle?: boolean;
  partitionDelayMs?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker: scheduled and queued jobs (materialize, train) and the partitions of every materialization run; several may run against one server database')
    .option('--id <id>', 'worker id recorded on the partitions it holds (default: host:pid:random)')
    .option('--poll-ms <ms>', 'sleep between polls when idle', '1000')
    .option('--schedule-every <seconds>', 'how often to check the schedule table for due schedules', '10')
    .option('--no-schedules', 'do not enqueue scheduled jobs from this worker')
    .option('--exit-when-idle', 'exit once no job, claimable partition or unfinished run is left')
    .addOption(new Option('--lease-seconds <s>', "seconds after which a silent worker's partition is taken over").default(String(DEFAULT_MATERIALIZE_SETTINGS.leaseSeconds)))
    .addOption(new Option('--max-attempts <n>', 'attempts per partition before its run fails').default(String(DEFAULT_MATERIALIZE_SETTINGS.maxAttempts)))
    .addOption(new Option('--batch-size <n>', 'entities per read-compute-write transaction').default(String(DEFAULT_MATERIALIZE_SETTINGS.batchSize)))
    // For crash tests: wait this long after each committed batch, so a test can kill the worker mid-partition.
    .addOption(new Option('--partition-delay-ms <ms>').hideHelp())
    .action(async (options: WorkerCliOptions, command: Command) => {
      const settings = materializeSettings(options);
      const delay = options.partitionDelayMs === undefined ? 0 : integerOption('--partition-delay-ms', options.partitionDelayMs);
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db, log, config }) => {
        const hooks: MaterializeHooks = delay > 0
          ? { afterBatch: async (info) => { log.info({ run: info.runId, partition: info.partition, delayMs: delay }, 'batch committed, pausing'); await sleep(delay); } }
          : {};
        const boss = await openJobQueue(db, config.database, { onError: (error) => log.warn({ err: error }, 'job queue error') });
        const stop = stopOnSignals(log, 'stopping after the work in hand');
        try {
          await runWorker({ db, log, backend: config.backend }, boss, {
            ...(options.id ? { id: options.id } : {}),
            settings,
            pollMs: integerOption('--poll-ms', options.pollMs),
            scheduleEveryMs: options.schedules ? integerOption('--schedule-every', options.scheduleEvery) * 1000 : false,
            exitWhenIdle: options.exitWhenIdle ?? false,
            hooks,
            signal: stop.signal,
          });
        } finally {
          stop.release();
          await boss.stop({ graceful: true, close: true, timeout: 5_000 });
        }
      });
    });
}

/** A non-negative integer option, or a CliError naming it. */
export function integerOption(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new CliError(`${name}: expected a non-negative integer, got "${value}"`);
  return parsed;
}

export function materializeSettings(options: SettingsOptions): MaterializeSettings {
  const leaseSeconds = Number(options.leaseSeconds ?? DEFAULT_MATERIALIZE_SETTINGS.leaseSeconds);
  if (!(leaseSeconds > 0)) throw new CliError(`--lease-seconds: expected a positive number, got "${options.leaseSeconds}"`);
  const settings = {
    leaseSeconds,
    maxAttempts: integerOption('--max-attempts', options.maxAttempts ?? String(DEFAULT_MATERIALIZE_SETTINGS.maxAttempts)),
    batchSize: integerOption('--batch-size', options.batchSize ?? String(DEFAULT_MATERIALIZE_SETTINGS.batchSize)),
  };
  if (settings.maxAttempts < 1 || settings.batchSize < 1) throw new CliError('--max-attempts and --batch-size must be at least 1');
  return settings;
}
