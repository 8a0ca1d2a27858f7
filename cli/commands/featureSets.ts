import fs from 'node:fs';
import type { Command } from 'commander';
import { registerFeatureSet } from '../../store/featureSets/featureSetRegistry.ts';
import { listFeatureSets } from '../../store/featureSets/listFeatureSets.ts';
import { CliError, withStore, type GlobalOptions } from '../openStore.ts';

export function registerFeatureSets(program: Command): void {
  const featureSets = program
    .command('feature-sets')
    .description('list the feature sets with their versions (status, rows, model version, times); `register` defines one')
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
          console.log(`${set.name} (${set.entityType}, ${set.kind}, latest v${set.latestVersion ?? '-'})`);
          for (const version of set.versions) console.log(`  v${version.version} ${version.status} rows=${version.rowCount}`);
        }
      });
    });

  featureSets
    .command('register')
    .description('create a feature set from a JSON definition, or update it (a schema change applies to the next version)')
    .argument('<file>', 'JSON definition: {name, entityType, kind, owner, description, tags, ttlSeconds, source, features}')
    .option('--json', 'print the outcome as JSON')
    .action(async (file: string, _options: unknown, command: Command) => {
      const definition = readJson(file);
      // --json is also an option of `feature-sets`, which takes it first: read both levels.
      const options = command.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      await withStore(options, async ({ db, log }) => {
        const result = await registerFeatureSet(db, definition);
        const summary = { name: result.featureSet.name, outcome: result.outcome, changedFields: result.changedFields };
        if (options.json) console.log(JSON.stringify(summary));
        else log.info(summary, `feature set ${summary.name}: ${summary.outcome}`);
      });
    });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
}
