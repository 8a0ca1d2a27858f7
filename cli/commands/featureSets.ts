import type { Command } from 'commander';
import { listFeatureSets } from '../../store/featureSets/listFeatureSets.ts';
import { withStore, type GlobalOptions } from '../openStore.ts';

export function registerFeatureSets(program: Command): void {
  program
    .command('feature-sets')
    .description('list the feature sets with their versions (status, rows, model version, times)')
    .option('--json', 'print the listing as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const sets = await listFeatureSets(db);
        if (options.json) {
          console.log(JSON.stringify(sets));
          return;
        }
        if (sets.length === 0) console.log('no feature sets');
        for (const set of sets) {
          console.log(`${set.name} (${set.entityType}, ${set.kind})`);
          for (const version of set.versions) console.log(`  v${version.version} ${version.status} rows=${version.rowCount}`);
        }
      });
    });
}
