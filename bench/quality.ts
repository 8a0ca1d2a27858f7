/**
 * `npm run bench -- quality [--quick] [--variants a,b,d-mlp-attention] [--seeds 3]
 * [--protocols item-cold,user-cold,citeulike-cold] [--epochs n]`: the cold-start quality
 * benchmark. Imports ML-100K and CiteULike-a from ../shared/data into a temporary embedded
 * store each (a data set that is absent is skipped), runs the evaluation protocols, writes
 * bench/results/<date>.json and .md, and prints the headline tables.
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

const SHARED_DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

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

export async function runQualityBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
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
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  fs.mkdirSync(RESULTS, { recursive: true });
  const result = { benchmark: 'quality', backend, wall_seconds: (performance.now() - started) / 1000, skipped, reports };
  fs.writeFileSync(path.join(RESULTS, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const markdown = [`# Quality benchmark ${stamp}`, '', `backend: ${backend.name}; wall time ${Math.round(result.wall_seconds)} s`, '', ...reports.flatMap((report) => [formatReportTable(report), '', ...report.notes.map((note) => `- ${note}`), '']), ...skipped.map((line) => `skipped: ${line}`)].join('\n');
  fs.writeFileSync(path.join(RESULTS, `${stamp}.md`), `${markdown}\n`);
  console.log(markdown);
  log(`wrote ${path.join(RESULTS, `${stamp}.json`)} and .md`);
}
