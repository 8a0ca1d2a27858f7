import fs from 'node:fs';
import type { Command } from 'commander';
import { initBackend } from '../../ml/backend.ts';
import { trainOnStore, TrainOnStoreConfigSchema } from '../../ml/store/trainOnStore.ts';
import { CliError, withStore, type GlobalOptions } from '../openStore.ts';
import { trainingProgress } from '../trainingProgress.ts';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("train the synthesizing model on the store's data and register it as a model version")
    .option('--config <file>', 'JSON training configuration: {name, model, training, target, validationShare, encoders}')
    .option('--json', 'print the result as JSON')
    .action(async (options: { config?: string; json?: boolean }, command: Command) => {
      const config = readConfig(options.config);
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db, log, config: { backend } }) => {
        const info = await initBackend(backend);
        log.info({ backend: info.name, kernels: info.kernels.length }, 'tensorflow.js backend ready');
        const progress = trainingProgress();
        const result = await trainOnStore(db, config, { backend: info.name, hooks: progress }).finally(() => progress.stop());
        if (options.json) console.log(JSON.stringify({ ...result, backend: info.name }));
        else log.info({ ...result, epochs: result.epochs.length, backend: info.name }, `model ${result.modelName} version ${result.modelVersion} registered`);
      });
    });
}

function readConfig(file: string | undefined): ReturnType<typeof TrainOnStoreConfigSchema.parse> {
  if (!file) return TrainOnStoreConfigSchema.parse({});
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--config ${file}: ${(error as Error).message}`);
  }
  const parsed = TrainOnStoreConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--config ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
