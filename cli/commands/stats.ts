import type { Command } from 'commander';
import { readStats } from '../../store/stats.ts';
import { withStore, type GlobalOptions } from '../openStore.ts';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('print row counts per table')
    .option('--json', 'print the counts as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const stats = await readStats(db);
        if (options.json) console.log(JSON.stringify(stats));
        else console.table(stats);
      });
    });
}
