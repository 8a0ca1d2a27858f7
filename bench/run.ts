/**
 * `npm run bench [-- --quick]` runs every registered benchmark; `npm run bench -- <name>
 * [options]` runs one (options go to it), `npm run bench -- train,serve` several. Each run writes bench/results/<date>.json and a
 * readable <date>.md with SVG charts, and prints the headline table, every target stated as met
 * or not. `--quick` uses small sizes (the whole run in under 2 minutes: CI runs it to keep the
 * harness honest). A benchmark that fails is reported and makes the exit code 1; the others
 * still run. Benchmarks run one after the other: each is heavy.
 *
 * Registering one is one line below: a name, a description and `run(argv, context)`, returning
 * a BenchReport (bench/report/BenchReport.ts).
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runAnnBench } from './ann.ts';
import { runMaterializeBench } from './materialize.ts';
import { runQualityBench } from './quality.ts';
import { type Benchmark, type BenchContext, isBenchReport } from './report/BenchReport.ts';
import { headlineTable, writeResults, type BenchOutcome } from './report/writeResults.ts';
import { runTrainBench } from './train.ts';
import { runServeBench } from './serve.ts';

const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  quality: { description: 'cold-start quality on ML-100K protocol A and CiteULike-a strict cold start', run: runQualityBench },
  train: { description: 'training examples/s of the MLP and the transformer companion per backend', run: runTrainBench },
  materialize: { description: 'materialization entities/s, full and incremental (1% changed), over generated items, PGlite and server', run: runMaterializeBench },
  ann: { description: 'HNSW recall@10 and latency against exact search per ef_search, cosine and inner product, PGlite and server', run: runAnnBench },
  serve: { description: 'GraphQL serving latency (p50/p99) and requests/s under autocannon: features(1), predict(100), recommend(k=10)', run: runServeBench },
};

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'list') {
    console.error(usage());
    return 0;
  }
  const named = argv[0] !== undefined && !argv[0].startsWith('-');
  const names = named ? argv[0]!.split(',') : Object.keys(BENCHMARKS);
  const unknown = names.find((name) => !BENCHMARKS[name]);
  if (unknown !== undefined) {
    console.error(`unknown benchmark "${unknown}"\n${usage()}`);
    return 2;
  }
  const options = named ? argv.slice(1) : argv;
  const quick = options.includes('--quick');
  const context: BenchContext = { quick, all: !named, log: (message) => void process.stderr.write(`${message}\n`) };
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const outcomes: BenchOutcome[] = [];
  for (const name of names) {
    const benchmark = BENCHMARKS[name]!;
    context.log(`\n=== bench ${name}${quick ? ' (quick)' : ''}: ${benchmark.description}`);
    const started = performance.now();
    try {
      const result = await benchmark.run(options, context);
      const seconds = (performance.now() - started) / 1000;
      outcomes.push(isBenchReport(result) ? { name, description: benchmark.description, seconds, report: result } : { name, description: benchmark.description, seconds, report: null, raw: result ?? null });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      context.log(`bench ${name} FAILED: ${message}`);
      outcomes.push({ name, description: benchmark.description, seconds: (performance.now() - started) / 1000, report: null, error: message });
    }
  }
  const written = writeResults(RESULTS, { startedAt, quick, argv, loadBefore, loadAfter: os.loadavg(), outcomes });
  console.log(`\n${headlineTable(outcomes)}\n`);
  console.log(`wrote ${written.json} and ${written.markdown}`);
  return outcomes.some((outcome) => outcome.error) ? 1 : 0;
}

function usage(): string {
  const list = Object.entries(BENCHMARKS).map(([key, value]) => `  ${key}: ${value.description}`).join('\n');
  return `usage: npm run bench [-- --quick]          every benchmark\n       npm run bench -- <benchmark>[,<benchmark>...] [options]\nbenchmarks:\n${list}`;
}

process.exitCode = await main(process.argv.slice(2));
