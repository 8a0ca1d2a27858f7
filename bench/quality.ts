/**
 * `npm run bench -- quality [--quick] [--variants a,b,d-mlp-attention] [--seeds 3]
 * [--protocols item-cold,user-cold,citeulike-cold] [--epochs n]`: the cold-start quality
 * benchmark. Imports ML-100K and CiteULike-a from ../shared/data into a temporary embedded
 * store each (a data set that is absent is skipped), runs the evaluation protocols and returns
 * their tables, targets and a cold- against warm-AUC chart per protocol to the harness
 * (bench/run.ts), which writes bench/results/<date>.json and .md.
 *
 * In a harness run of every benchmark with --quick (CI), the preset is smaller still: the
 * item-cold protocol only, the logistic-regression baseline (e) and (d) with the MLP companion,
 * one seed, two epochs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '../ml/backend.ts';
import { runEvaluation } from '../ml/evaluate/runEvaluation.ts';
import { formatReportTable, type EvaluationReport } from '../ml/evaluate/report.ts';
import { PROTOCOL_NAMES, type ProtocolName } from '../ml/evaluate/Protocol.ts';
import { openEmbeddedDatabase } from '../store/db/openEmbeddedDatabase.ts';
import { citeULikeSource } from '../store/import/citeulike.ts';
import { importData, type ImportableSource } from '../store/import/importData.ts';
import { movieLensSource } from '../store/import/movielens.ts';
import { migrate } from '../store/migrate.ts';
import { type BenchContext, type BenchReport, type Chart, type HeadlineRow } from './report/BenchReport.ts';
import { barChart } from './report/svgCharts.ts';

const SHARED_DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));

/** --quick inside a run of every benchmark: what fits CI's two minutes. */
const HARNESS_QUICK = { protocols: 'item-cold', variants: 'e,d-mlp-attention', seeds: '1', epochs: '2' } as const;

interface DataSet {
  readonly name: string;
  readonly dir: string;
  readonly source: (dir: string) => ImportableSource;
  readonly protocols: readonly ProtocolName[];
}

const DATA_SETS: readonly DataSet[] = [
  { name: 'ml-100k', dir: 'ml-100k', source: movieLensSource, protocols: ['item-cold', 'user-cold'] },
  { name: 'citeulike-a', dir: 'citeulike-a', source: citeULikeSource, protocols: ['citeulike-cold'] },
];

export async function runQualityBench(argv: readonly string[], context?: BenchContext): Promise<BenchReport> {
  const { values: parsed } = parseArgs({
    args: [...argv],
    strict: false,
    options: {
      quick: { type: 'boolean', default: false },
      variants: { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      protocols: { type: 'string' },
      'ranking-users': { type: 'string' },
      'data-dir': { type: 'string', default: SHARED_DATA },
    },
  });
  const values = parsed as { quick: boolean; variants?: string; seeds?: string; epochs?: string; protocols?: string; 'ranking-users'?: string; 'data-dir': string };
  if (values.quick && context?.all) Object.assign(values, { protocols: values.protocols ?? HARNESS_QUICK.protocols, variants: values.variants ?? HARNESS_QUICK.variants, seeds: values.seeds ?? HARNESS_QUICK.seeds, epochs: values.epochs ?? HARNESS_QUICK.epochs });
  const protocols = (values.protocols?.split(',') ?? [...PROTOCOL_NAMES]).map((name) => {
    if (!(PROTOCOL_NAMES as readonly string[]).includes(name)) throw new Error(`--protocols: unknown protocol "${name}", expected ${PROTOCOL_NAMES.join(', ')}`);
    return name as ProtocolName;
  });
  const backend = await initBackend();
  const log = (message: string): void => void process.stderr.write(`${message}\n`);
  log(`bench quality: backend ${backend.name}${backend.simd ? ' (simd)' : ''}, ${values.quick ? 'quick' : 'full'} preset`);
  const reports: EvaluationReport[] = [];
  const skipped: string[] = [];
  const started = performance.now();
  for (const dataSet of DATA_SETS) {
    const wanted = dataSet.protocols.filter((protocol) => protocols.includes(protocol));
    if (wanted.length === 0) continue;
    const dir = path.join(values['data-dir'], dataSet.dir);
    if (!fs.existsSync(dir)) {
      skipped.push(`${dataSet.name}: ${dir} not found`);
      log(`skipping ${dataSet.name}: ${dir} not found`);
      continue;
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-bench-'));
    const db = await openEmbeddedDatabase({ dataDir: path.join(tmp, 'db') });
    try {
      await migrate(db);
      const importStarted = performance.now();
      const summary = await importData(db, dataSet.source(dir));
      log(`imported ${dataSet.name} in ${Math.round((performance.now() - importStarted) / 1000)} s: ${JSON.stringify(summary)}`);
      for (const protocol of wanted) {
        const report = await runEvaluation(db, {
          protocol,
          dataset: dataSet.name,
          quick: values.quick,
          ...(values.variants ? { variants: values.variants.split(',') } : {}),
          ...(values.seeds ? { seeds: Number(values.seeds) } : {}),
          settings: {
            ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
            ...(values['ranking-users'] ? { rankingUsers: Number(values['ranking-users']) } : {}),
          },
          progress: log,
        });
        reports.push(report);
        log(formatReportTable(report));
      }
    } finally {
      await db.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const headline: HeadlineRow[] = reports.flatMap((report) =>
    report.targets.map((target) => ({ what: `quality ${report.dataset} ${report.protocol}`, value: target.detail, target: target.name, met: target.met })),
  );
  const charts: Chart[] = reports.flatMap((report) => aucChart(report));
  const markdown = [
    `backend: ${backend.name}; wall time ${Math.round(wallSeconds)} s`,
    '',
    ...reports.flatMap((report) => [`### ${report.dataset} ${report.protocol}`, '', formatReportTable(report), '', ...report.notes.map((note) => `- ${note}`), '']),
    ...skipped.map((line) => `skipped: ${line}`),
  ].join('\n');
  return { headline, markdown, charts, data: { backend, wall_seconds: wallSeconds, skipped, reports } };
}

/** Cold against warm AUC per variant (warm phases where the protocol has them). */
function aucChart(report: EvaluationReport): Chart[] {
  const metrics = (['cold_auc', 'warm_a_auc', 'warm_b_auc', 'warm_c_auc', 'warm_auc'] as const).filter((metric) => report.variants.some((variant) => variant[metric] !== null));
  if (metrics.length === 0) return [];
  return [{
    id: `${report.dataset}-${report.protocol}-auc`,
    title: `${report.dataset} ${report.protocol}: AUC per variant`,
    svg: barChart({
      title: `${report.dataset} ${report.protocol}: cold and warm AUC per variant (mean over seeds)`,
      yLabel: 'AUC',
      seriesNames: metrics,
      groups: report.variants.map((variant) => ({ label: variant.name, values: Object.fromEntries(metrics.map((metric) => [metric, variant[metric]])) })),
      yMin: 0.5,
    }),
  }];
}
