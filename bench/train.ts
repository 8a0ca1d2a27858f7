/**
 * `npm run bench -- train [--seconds N] [--backend wasm|wasm-stock|cpu]`: training examples/s of
 * the MLP and of the transformer companion on each backend (bench/trainThroughput.ts, which runs
 * every backend in a process of its own), and the share of the machine's measured peak matMul
 * throughput that the step reaches. --quick: 1 s per variant, patched wasm only.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchContext, type BenchReport, formatNumber, type HeadlineRow, markdownTable } from './report/BenchReport.ts';
import { barChart } from './report/svgCharts.ts';

const SCRIPT = fileURLToPath(new URL('./trainThroughput.ts', import.meta.url));

interface ThroughputRun {
  readonly model: string;
  readonly description: string;
  readonly target: number;
  readonly results: readonly { readonly variant: string; readonly examplesPerSecond: number; readonly bestExamplesPerSecond: number; readonly msPerStep: number; readonly stepGflops: number; readonly peakMatMulGflops: number; readonly finalLoss: number }[];
}

export async function runTrainBench(argv: readonly string[], context?: BenchContext): Promise<BenchReport> {
  const { values } = parseArgs({ args: [...argv], strict: false, options: { quick: { type: 'boolean', default: false }, seconds: { type: 'string' }, backend: { type: 'string' } } });
  const quick = values.quick === true;
  const seconds = String(values.seconds ?? (quick ? 1 : 5));
  const backend = typeof values.backend === 'string' ? values.backend : quick ? 'wasm' : undefined;
  const runs: ThroughputRun[] = [];
  for (const model of ['mlp', 'transformer']) {
    context?.log(`bench train: ${model}, ${seconds} s per backend`);
    const result = spawnSync(process.execPath, [SCRIPT, '--model', model, '--seconds', seconds, '--json', ...(backend ? ['--backend', backend] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`bench/trainThroughput.ts --model ${model} exited with ${result.status ?? result.signal}`);
    runs.push(JSON.parse(result.stdout) as ThroughputRun);
  }
  const headline: HeadlineRow[] = [];
  const rows: (string | number)[][] = [];
  for (const run of runs) {
    const peak = Math.max(0, ...run.results.filter((r) => r.variant !== 'cpu').map((r) => r.peakMatMulGflops));
    for (const r of run.results) {
      rows.push([run.model, r.variant, formatNumber(r.examplesPerSecond), formatNumber(r.bestExamplesPerSecond), r.msPerStep.toFixed(2), r.stepGflops.toFixed(2), peak > 0 ? `${((100 * r.stepGflops) / peak).toFixed(0)}%` : '-', r.finalLoss.toFixed(4)]);
    }
    const patched = run.results.find((r) => r.variant === 'wasm');
    if (patched) {
      headline.push({
        what: `train ${run.model}, patched wasm, one core`,
        value: `${formatNumber(patched.examplesPerSecond)} examples/s (${peak > 0 ? ((100 * patched.stepGflops) / peak).toFixed(0) : '-'}% of peak matMul)`,
        target: `>= ${formatNumber(run.target)} examples/s`,
        met: patched.examplesPerSecond >= run.target,
      });
    }
  }
  const markdown = [
    ...runs.map((run) => `- ${run.model}: ${run.description}`),
    '',
    markdownTable(['model', 'backend', 'examples/s', 'best window', 'ms/step', 'step GFLOP/s', 'of peak', 'final loss'], rows),
  ].join('\n');
  const chart = barChart({
    title: 'Training throughput per backend (examples/s, log scale)',
    yLabel: 'examples/s',
    logY: true,
    seriesNames: [...new Set(runs.flatMap((run) => run.results.map((r) => r.variant)))],
    groups: runs.map((run) => ({ label: run.model, values: Object.fromEntries(run.results.map((r) => [r.variant, r.examplesPerSecond])) })),
  });
  return { headline, markdown, charts: [{ id: 'throughput', title: 'Training throughput per backend', svg: chart }], data: { seconds: Number(seconds), runs } };
}
