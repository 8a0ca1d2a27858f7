import fs from 'node:fs';
import type { Command } from 'commander';
import { addSchedule, listSchedules, removeSchedule, type ScheduleInput } from '../../jobs/schedules/schedules.ts';
import { CliError, withStore, type GlobalOptions } from '../openStore.ts';
import { integerOption } from './worker.ts';

interface AddOptions {
  name: string;
  cron: string;
  timezone: string;
  task: string;
  featureSet?: string;
  incremental?: boolean;
  model?: string;
  partitions?: string;
  config?: string;
  disabled?: boolean;
  json?: boolean;
}

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('cron schedules of materialization and training, run by `synthstore worker`');
  schedule
    .command('add')
    .description('add a schedule')
    .requiredOption('--name <name>', 'a unique name')
    .requiredOption('--cron <expression>', 'cron expression, e.g. "*/5 * * * *" (5 fields, or 6 with seconds)')
    .option('--timezone <tz>', 'IANA time zone the expression is read in', 'UTC')
    .requiredOption('--task <task>', 'materialize or train')
    .option('--feature-set <name>', 'materialize: the feature set')
    .option('--incremental', 'materialize: incrementally')
    .option('--model <version>', 'materialize: the source model version (default: pinned, else latest at run time)')
    .option('--partitions <n>', 'materialize: partition count')
    .option('--config <file>', 'train: JSON training configuration (stored in the schedule)')
    .option('--disabled', 'add it disabled')
    .option('--json', 'print the schedule as JSON')
    .action(async (options: AddOptions, command: Command) => {
      const input = scheduleInput(options);
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const added = await addSchedule(db, input);
        if (options.json) console.log(JSON.stringify(added));
        else console.log(`schedule ${added.name} added: ${added.task} at "${added.cron}" (${added.timezone}), next run ${added.nextRunAt.toISOString()}`);
      });
    });
  schedule
    .command('list')
    .description('list the schedules with their last and next runs')
    .option('--json', 'print the schedules as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const schedules = await listSchedules(db);
        if (options.json) console.log(JSON.stringify(schedules));
        else if (schedules.length === 0) console.log('no schedules');
        else {
          for (const s of schedules) {
            const what = s.task === 'materialize' ? `materialize ${s.featureSet ?? '?'}${s.args.mode === 'incremental' ? ' (incremental)' : ''}` : 'train';
            console.log(`${s.name}: ${what} at "${s.cron}" ${s.timezone}${s.enabled ? '' : ' [disabled]'}; last run ${s.lastRunAt?.toISOString() ?? 'never'}, next ${s.nextRunAt.toISOString()}`);
          }
        }
      });
    });
  schedule
    .command('rm')
    .description('remove a schedule')
    .argument('<name>', 'the schedule name')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        await removeSchedule(db, name);
        console.log(`schedule ${name} removed`);
      });
    });
}

function scheduleInput(options: AddOptions): ScheduleInput {
  const common = { name: options.name, cron: options.cron, timezone: options.timezone, enabled: !options.disabled };
  if (options.task === 'materialize') {
    if (!options.featureSet) throw new CliError('schedule add --task materialize: --feature-set <name> is required');
    if (options.config) throw new CliError('schedule add --task materialize: --config applies to --task train');
    return {
      ...common,
      task: 'materialize',
      args: {
        featureSet: options.featureSet,
        mode: options.incremental ? 'incremental' : 'full',
        ...(options.model === undefined ? {} : { modelVersion: integerOption('--model', options.model) }),
        ...(options.partitions === undefined ? {} : { partitions: integerOption('--partitions', options.partitions) }),
      },
    };
  }
  if (options.task === 'train') {
    if (options.featureSet || options.incremental || options.model || options.partitions) throw new CliError('schedule add --task train: --feature-set, --incremental, --model and --partitions apply to --task materialize');
    return { ...common, task: 'train', args: { config: options.config ? readJson(options.config) : {} } };
  }
  throw new CliError(`schedule add --task: expected materialize or train, got "${options.task}"`);
}

function readJson(file: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`--config ${file}: ${(error as Error).message}`);
  }
}
