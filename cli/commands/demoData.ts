import type { Command } from 'commander';
import { DEFAULT_DEMO_OPTIONS, demoDataSource, type DemoDataOptions } from '../../store/demo/demoData.ts';
import { writeJsonl } from '../../store/demo/writeJsonl.ts';
import { importData } from '../../store/import/importData.ts';
import { withStore, type GlobalOptions } from '../openStore.ts';

interface DemoDataFlags {
  seed: string;
  users: string;
  items: string;
  eventsPerUser: string;
  coldShare: string;
  out?: string;
  json?: boolean;
}

export function registerDemoData(program: Command): void {
  program
    .command('demo-data')
    .description('generate a synthetic data set from a latent preference model, with cold users and items')
    .option('--seed <n>', 'random seed', String(DEFAULT_DEMO_OPTIONS.seed))
    .option('--users <n>', 'number of users', String(DEFAULT_DEMO_OPTIONS.users))
    .option('--items <n>', 'number of items', String(DEFAULT_DEMO_OPTIONS.items))
    .option('--events-per-user <n>', 'mean events per warm user', String(DEFAULT_DEMO_OPTIONS.eventsPerUser))
    .option('--cold-share <x>', 'share of users and of items without any event', String(DEFAULT_DEMO_OPTIONS.coldShare))
    .option('--out <dir>', 'write JSONL files (the jsonl import format) instead of ingesting into the store')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: DemoDataFlags, command: Command) => {
      const source = demoDataSource(parseDemoOptions(flags));
      if (flags.out) {
        const counts = await writeJsonl(source.read(), flags.out);
        console.log(flags.json ? JSON.stringify({ out: flags.out, ...counts }) : `wrote ${JSON.stringify(counts)} to ${flags.out}`);
        return;
      }
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db, log }) => {
        const summary = await importData(db, source);
        if (flags.json) console.log(JSON.stringify(summary));
        else log.info(summary, 'demo data ingested');
      });
    });
}

export function parseDemoOptions(flags: DemoDataFlags): DemoDataOptions {
  const options = {
    ...DEFAULT_DEMO_OPTIONS,
    seed: parseInteger(flags.seed, '--seed', 0),
    users: parseInteger(flags.users, '--users', 1),
    items: parseInteger(flags.items, '--items', 1),
    eventsPerUser: parseInteger(flags.eventsPerUser, '--events-per-user', 0),
    coldShare: Number(flags.coldShare),
  };
  if (!(options.coldShare >= 0 && options.coldShare < 1)) throw new Error(`--cold-share must be in [0, 1), got ${flags.coldShare}`);
  return options;
}

function parseInteger(text: string, flag: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${flag} must be an integer >= ${minimum}, got ${text}`);
  return value;
}
