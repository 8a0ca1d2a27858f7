import type { Command } from 'commander';
import { ensureMaterialized, ensureSynthesizedFeatureSets, ensureTrainedModel } from '../../jobs/mainJob.ts';
import { DEFAULT_DEMO_OPTIONS, demoDataSource } from '../../store/demo/demoData.ts';
import { importData } from '../../store/import/importData.ts';
import { movieLensSource } from '../../store/import/movielens.ts';
import { migrate } from '../../store/migrate.ts';
import { readStats } from '../../store/stats.ts';
import { importWithProgress } from '../importWithProgress.ts';
import { withStore, type GlobalOptions } from '../openStore.ts';
import { trainingProgress } from '../trainingProgress.ts';

/**
 * The main job on a fresh machine: bring the store up to date, give it data, train the model,
 * and materialize the features it synthesizes. A second run reuses what exists.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('migrate, load demo data (or MovieLens) into an empty store, train the model and materialize its features')
    .option('--movielens <dir>', 'import the MovieLens 100K directory instead of generating demo data')
    .action(async (options: { movielens?: string }, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db, log, config }) => {
        const migrations = await migrate(db);
        log.info({ location: db.location, applied: migrations.applied }, 'store ready');
        const before = await readStats(db);
        if (before.users + before.items === 0) {
          if (options.movielens) {
            log.info(await importWithProgress(db, movieLensSource(options.movielens)), 'MovieLens imported');
          } else {
            log.info(await importData(db, demoDataSource(DEFAULT_DEMO_OPTIONS)), 'demo data generated');
          }
        } else {
          log.info('the store already holds data: reusing it');
        }
        const progress = trainingProgress();
        const { model } = await ensureTrainedModel(db, log, config.backend, progress).finally(() => progress.stop());
        const featureSets = await ensureSynthesizedFeatureSets(db, model);
        await ensureMaterialized(db, log, config.backend, featureSets, model);
        console.log(JSON.stringify(await readStats(db), null, 2));
      }, { requireMigrated: false });
    });
}
