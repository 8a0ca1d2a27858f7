import { Option, type Command } from 'commander';
import { DEFAULT_MATERIALIZE_SETTINGS, type MaterializeRequest } from '../../jobs/interfaces.ts';
import { runMaterialization } from '../../jobs/materialize/runMaterialization.ts';
import { getRunProgress, listRuns, type RunProgress } from '../../jobs/materialize/runProgress.ts';
import { openJobQueue, QUEUES } from '../../jobs/queue/openJobQueue.ts';
import { defaultWorkerId } from '../../jobs/worker.ts';
import { CliError, withStore, type GlobalOptions } from '../openStore.ts';
import { startProgress, type Progress } from '../progress.ts';
import { integerOption, materializeSettings, type SettingsOptions } from './worker.ts';

interface MaterializeOptions extends SettingsOptions {
  featureSet?: string;
  incremental?: boolean;
  model?: string;
  partitions?: string;
  enqueue?: boolean;
  status?: string | boolean;
  json?: boolean;
}

export function registerMaterialize(program: Command): void {
  program
    .command('materialize')
    .description('materialize a feature set into a new version, published atomically when every partition succeeded (workers running against the store join in)')
    .option('--feature-set <name>', 'the feature set to materialize')
    .option('--incremental', 'recompute only entities whose inputs changed since the last published version; copy the rest')
    .option('--model <version>', 'synthesized sets: the version of the source model (default: pinned, else latest)')
    .option('--partitions <n>', 'entity partitions, the unit of work shared by workers (default: one per 2,500 entities, 1-32)')
    .option('--enqueue', 'only queue the job: a running `synthstore worker` plans and processes it')
    .option('--status [run]', 'show the progress of a run (default: the latest runs) instead of materializing')
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--lease-seconds <s>', 'seconds after which a silent worker\'s partition is taken over').default(String(DEFAULT_MATERIALIZE_SETTINGS.leaseSeconds)))
    .addOption(new Option('--batch-size <n>', 'entities per read-compute-write transaction').default(String(DEFAULT_MATERIALIZE_SETTINGS.batchSize)))
    .action(async (options: MaterializeOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (options.status !== undefined) {
        await withStore(globals, async ({ db }) => {
          const runs = options.status === true ? await listRuns(db, options.featureSet ? { featureSet: options.featureSet } : {}) : [await getRunProgress(db, integerOption('--status', String(options.status)))];
          if (options.json) console.log(JSON.stringify(runs));
          else if (runs.length === 0) console.log('no materialization runs');
          else for (const run of runs) console.log(describeRun(run));
        });
        return;
      }
      if (!options.featureSet) throw new CliError('materialize: --feature-set <name> is required');
      const request: MaterializeRequest = {
        featureSet: options.featureSet,
        mode: options.incremental ? 'incremental' : 'full',
        ...(options.model === undefined ? {} : { modelVersion: integerOption('--model', options.model) }),
        ...(options.partitions === undefined ? {} : { partitions: integerOption('--partitions', options.partitions) }),
      };
      const settings = materializeSettings(options);
      await withStore(globals, async ({ db, log, config }) => {
        if (options.enqueue) {
          const boss = await openJobQueue(db, config.database, { supervise: false });
          try {
            const jobId = await boss.send(QUEUES.materialize, request);
            if (options.json) console.log(JSON.stringify({ jobId, request }));
            else log.info({ jobId, ...request }, 'materialization queued: a worker will plan and run it');
          } finally {
            await boss.stop({ graceful: false, close: true });
          }
          return;
        }
        let progress: Progress | undefined;
        let shown = 0;
        const result = await runMaterialization({ db, log, backend: config.backend }, request, {
          worker: defaultWorkerId(),
          settings,
          onPlanned: (plan) => {
            log.info({ run: plan.runId, version: plan.version.version, mode: plan.mode, ...(plan.fullBecause ? { fullBecause: plan.fullBecause } : {}), partitions: plan.partitions, entities: plan.rowsTotal }, `materializing ${plan.featureSet}`);
            progress = startProgress(`${plan.featureSet} v${plan.version.version}`, plan.rowsTotal, 'entities');
          },
          onProgress: (run) => {
            progress?.advance(Math.max(0, run.rowsDone - shown));
            shown = Math.max(shown, run.rowsDone);
          },
        });
        progress?.stop();
        const summary = {
          runId: result.run.runId,
          featureSet: result.run.featureSet,
          version: result.run.version,
          status: result.run.status,
          mode: result.plan.mode,
          rowsDone: result.run.rowsDone,
          rowsTotal: result.run.rowsTotal,
          computed: result.work.computed,
          copied: result.work.copied,
          partitions: result.plan.partitions,
          workers: result.run.workers,
          seconds: Number(result.seconds.toFixed(3)),
          entitiesPerSecond: Math.round(result.run.rowsDone / Math.max(result.seconds, 1e-3)),
          error: result.run.error,
        };
        if (options.json) console.log(JSON.stringify(summary));
        else log.info(summary, `${summary.featureSet} v${summary.version} ${summary.status}`);
        if (result.run.status !== 'succeeded') throw new CliError(`run ${summary.runId} ${summary.status}: ${summary.error ?? 'see the worker logs'}`);
      });
    });
}

function describeRun(run: RunProgress): string {
  const percent = run.rowsTotal > 0 ? ` (${Math.floor((100 * run.rowsDone) / run.rowsTotal)}%)` : '';
  const parts = run.partitions;
  return `run ${run.runId} ${run.featureSet} v${run.version} ${run.mode} ${run.status}: ${run.rowsDone}/${run.rowsTotal} entities${percent}, partitions ${parts.succeeded}/${parts.total} done, ${parts.running} running, ${parts.failed} failed${run.error ? `; error: ${run.error}` : ''}`;
}
