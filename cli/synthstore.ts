#!/usr/bin/env node
/**
 * The `synthstore` command. Each subcommand lives in cli/commands/; this file wires them up and
 * turns errors into one clear line on stderr and a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../store/db/dataDirLock.ts';
import { ImportFileError } from '../store/import/ImportFileError.ts';
import { IngestError } from '../store/ingest/IngestError.ts';
import { MigrationError } from '../store/migrate.ts';
import { registerDemoData } from './commands/demoData.ts';
import { registerEvaluate } from './commands/evaluate.ts';
import { registerFeatureSets } from './commands/featureSets.ts';
import { registerMaterialize } from './commands/materialize.ts';
import { registerSchedule } from './commands/schedule.ts';
import { registerWorker } from './commands/worker.ts';
import { registerServe } from './commands/serve.ts';
import { registerApiKey } from './commands/apikey.ts';
import { registerImport } from './commands/importData.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerStart } from './commands/start.ts';
import { registerStats } from './commands/stats.ts';
import { registerTrain } from './commands/train.ts';
import { CliError } from './openStore.ts';
import { FeatureStoreError } from '../store/featureSets/errors.ts';
import { BackendUnavailableError } from '../ml/backend.ts';
import { ModelConfigError } from '../ml/model/ModelConfig.ts';
import { TrainingDataError } from '../ml/store/trainOnStore.ts';

/** Errors whose message says all a user needs: no stack trace. */
const EXPECTED_ERRORS = [
  ConfigError, DataDirLockedError, ImportFileError, IngestError, MigrationError, CliError,
  BackendUnavailableError, ModelConfigError, TrainingDataError, FeatureStoreError,
];

export function buildProgram(): Command {
  const program = new Command('synthstore')
    .description('a feature store for recommender systems that synthesizes features for cold users and items')
    .option('--db <dir>', 'embedded store data directory (default: $SYNTHSTORE_DB_DIR or .synthstore/db)')
    .option('--database-url <url>', 'PostgreSQL server to use instead of the embedded store (default: $DATABASE_URL)')
    .option('--backend <name>', 'TensorFlow.js backend: auto, tensorflow, wasm or cpu (default: $SYNTHSTORE_BACKEND or auto)')
    .showHelpAfterError()
    .exitOverride();
  registerStart(program);
  registerMigrate(program);
  registerImport(program);
  registerDemoData(program);
  registerStats(program);
  registerEvaluate(program);
  registerTrain(program);
  registerFeatureSets(program);
  registerMaterialize(program);
  registerSchedule(program);
  registerWorker(program);
  registerServe(program);
  registerApiKey(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const expected = EXPECTED_ERRORS.some((type) => error instanceof type);
    console.error(`synthstore: error: ${(error as Error).message ?? String(error)}`);
    if (!expected) console.error((error as Error).stack);
    return 1;
  }
}

process.exitCode = await main(process.argv);
