import type { Command } from 'commander';
import { initBackend } from '../../ml/backend.ts';
import { PROTOCOL_NAMES, type ProtocolName } from '../../ml/evaluate/Protocol.ts';
import { RANKING_LOSSES, type RankingLossKind } from '../../ml/model/rankingLoss.ts';
import { formatReportTable } from '../../ml/evaluate/report.ts';
import { runEvaluation } from '../../ml/evaluate/runEvaluation.ts';
import { CliError, withStore, type GlobalOptions } from '../openStore.ts';

interface EvaluateFlags {
  protocol: string;
  variants?: string;
  seeds?: string;
  epochs?: string;
  rankingUsers?: string;
  dataset?: string;
  idDropout?: string;
  validation?: string;
  negatives?: string;
  rankingLoss?: string;
  quick?: boolean;
  json?: boolean;
}

/**
 * `synthstore evaluate --protocol item-cold|user-cold|citeulike-cold [--variants a,b,d-mlp]
 * [--seeds 3] [--quick] [--json]`: the cold-start evaluation on the data already imported in
 * the store. Progress goes to stderr; the report (a table, or JSON) to stdout.
 */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('evaluate cold-start quality of the baselines and synthstore variants on the imported data')
    .requiredOption('--protocol <name>', PROTOCOL_NAMES.join(' | '))
    .option('--variants <list>', 'comma-separated variant names or prefixes (a, b, c, e, d, d-mlp, d-mlp-attention, ...)')
    .option('--seeds <n>', 'number of seeds (default 3, or 1 with --quick)')
    .option('--epochs <n>', 'maximum training epochs (default 12, or 3 with --quick)')
    .option('--ranking-users <n>', 'citeulike-cold: users ranked (a seeded sample; 0 = all)')
    .option('--dataset <name>', 'data set name shown in the report')
    .option('--id-dropout <cold,other>', 'ID dropout of the DropoutNet-style variants on the cold side and the other side (default 0.5,0.1)')
    .option('--validation <mode>', 'alias | entities: how validation simulates cold entities (default alias)')
    .option('--negatives <n>', 'citeulike protocols: sampled negatives per training save (default 2, or 1 with --quick)')
    .option('--ranking-loss <kind>', `citeulike protocols: ${RANKING_LOSSES.join(' | ')}, the ranking loss every neural variant adds to its pointwise loss (default none)`)
    .option('--quick', 'fewer epochs, seeds and variants')
    .option('--json', 'print the report as JSON')
    .action(async (flags: EvaluateFlags, command: Command) => {
      if (!(PROTOCOL_NAMES as readonly string[]).includes(flags.protocol)) {
        throw new CliError(`--protocol: expected one of ${PROTOCOL_NAMES.join(', ')}, got "${flags.protocol}"`);
      }
      const positive = (name: string, value: string | undefined, min = 1): number | undefined => {
        if (value === undefined) return undefined;
        const number = Number(value);
        if (!(Number.isInteger(number) && number >= min)) throw new CliError(`${name}: expected an integer >= ${min}, got "${value}"`);
        return number;
      };
      const seeds = positive('--seeds', flags.seeds);
      const epochs = positive('--epochs', flags.epochs);
      const rankingUsers = positive('--ranking-users', flags.rankingUsers, 0);
      const negatives = positive('--negatives', flags.negatives, 0);
      if (flags.rankingLoss !== undefined && !(RANKING_LOSSES as readonly string[]).includes(flags.rankingLoss)) {
        throw new CliError(`--ranking-loss: expected one of ${RANKING_LOSSES.join(', ')}, got "${flags.rankingLoss}"`);
      }
      let dropout: { cold: number; other: number } | undefined;
      if (flags.idDropout !== undefined) {
        const [cold, other] = flags.idDropout.split(',').map(Number);
        if (!(cold! >= 0 && cold! <= 1 && other! >= 0 && other! <= 1)) throw new CliError(`--id-dropout: expected two rates in [0, 1] like 0.5,0.1, got "${flags.idDropout}"`);
        dropout = { cold: cold!, other: other! };
      }
      if (flags.validation !== undefined && flags.validation !== 'alias' && flags.validation !== 'entities') {
        throw new CliError(`--validation: expected alias or entities, got "${flags.validation}"`);
      }
      await initBackend();
      await withStore(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        let report;
        try {
          report = await runEvaluation(db, {
            protocol: flags.protocol as ProtocolName,
            ...(flags.dataset ? { dataset: flags.dataset } : {}),
            ...(flags.variants ? { variants: flags.variants.split(',').map((name) => name.trim()).filter(Boolean) } : {}),
            ...(seeds === undefined ? {} : { seeds }),
            quick: flags.quick ?? false,
            settings: {
              ...(epochs === undefined ? {} : { epochs }),
              ...(rankingUsers === undefined ? {} : { rankingUsers }),
              ...(negatives === undefined ? {} : { negatives }),
              ...(flags.rankingLoss === undefined ? {} : { rankingLoss: flags.rankingLoss as RankingLossKind }),
              ...(dropout === undefined ? {} : { dropout }),
              ...(flags.validation === undefined ? {} : { validation: flags.validation as 'alias' | 'entities' }),
            },
            progress: (message) => void process.stderr.write(`${message}\n`),
          });
        } catch (error) {
          if (error instanceof RangeError) throw new CliError(error.message);
          throw error;
        }
        console.log(flags.json ? JSON.stringify(report, null, 2) : formatReportTable(report));
      });
    });
}
