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
import { startProgress, type Progress } from '../progress.ts';
import type { RunMaterializationOptions } from '../../jobs/materialize/runMaterialization.ts';
import { ensureDemoApiKey, readyBanner } from '../demoApiKey.ts';
import { serveStore } from '../serveStore.ts';
import type { Database } from '../../store/db/Database.ts';

/**
 * The main job on a fresh machine: bring the store up to date, give it data, train the model,
 * materialize the features it synthesizes, and serve the GraphQL API (with an API key and a query
 * to paste). A second run reuses what exists.
 */
/** A progress bar per materialization run (on a terminal). */
function materializeProgress(): Pick<RunMaterializationOptions, 'onPlanned' | 'onProgress'> {
  let bar: Progress | undefined;
  let shown = 0;
  return {
    onPlanned: (plan) => {
      bar?.stop();
      shown = 0;
      bar = startProgress(`materializing ${plan.featureSet} v${plan.version.version}`, plan.rowsTotal, 'entities');
    },
    onProgress: (run) => {
      bar?.advance(Math.max(0, run.rowsDone - shown));
      shown = Math.max(shown, run.rowsDone);
      if (run.status !== 'running' && run.status !== 'queued') bar?.stop();
    },
  };
}

/** A user with history and a few items, for the example queries. */
async function exampleEntities(db: Database): Promise<{ userId: string; itemIds: string[] }> {
  const [user] = await db.sql.query<{ external_id: string }>('SELECT u.external_id FROM app_user u WHERE EXISTS (SELECT 1 FROM event e WHERE e.user_id = u.id) ORDER BY u.id LIMIT 1');
  const items = await db.sql.query<{ external_id: string }>('SELECT external_id FROM item ORDER BY id LIMIT 3');
  return { userId: user?.external_id ?? '', itemIds: items.map((item) => item.external_id) };
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('migrate, load demo data (or MovieLens) into an empty store, train, materialize, and serve the GraphQL API')
    .option('--movielens <dir>', 'import the MovieLens 100K directory instead of generating demo data')
    .option('--port <port>', 'port of the API; 0 picks a free one (default: $SYNTHSTORE_PORT or 4000)')
    .option('--no-serve', 'stop after materializing instead of serving the API')
    .action(async (options: { movielens?: string; port?: string; serve: boolean }, command: Command) => {
      const globals = { ...command.optsWithGlobals<GlobalOptions>(), ...(options.port ? { port: options.port } : {}) };
      await withStore(globals, async ({ db, log, config }) => {
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
        await ensureMaterialized(db, log, config.backend, featureSets, model, materializeProgress());
        const stats = await readStats(db);
        if (!options.serve) {
          console.log(JSON.stringify(stats, null, 2));
          return;
        }
        log.info(stats, 'the store holds');
        const { key } = await ensureDemoApiKey(db, config);
        const example = await exampleEntities(db);
        await serveStore(db, log, config, { worker: true, onReady: (server) => void console.log(readyBanner(server.url, key, example)) });
      }, { requireMigrated: false });
    });
}
