/**
 * `npm run bench -- <benchmark> [options]`: one file per benchmark under bench/, registered
 * here by name. Add train, materialize, serve, ann, ... as they are written.
 */
import { runQualityBench } from './quality.ts';
import { runTrainBench } from './train.ts';
import { runServeBench } from './serve.ts';

const BENCHMARKS: Readonly<Record<string, { readonly description: string; run(argv: readonly string[]): Promise<void> }>> = {
  quality: { description: 'cold-start quality on ML-100K protocol A and CiteULike-a strict cold start', run: runQualityBench },
  train: { description: 'training examples/s of the MLP and the transformer companion per backend', run: runTrainBench },
  serve: { description: 'GraphQL serving latency (p50/p99) and requests/s under autocannon: features(1), predict(100), recommend(k=10)', run: async (argv) => void (await runServeBench(argv)) },
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const benchmark = name === undefined ? undefined : BENCHMARKS[name];
  if (!benchmark) {
    const list = Object.entries(BENCHMARKS).map(([key, value]) => `  ${key}: ${value.description}`).join('\n');
    console.error(`usage: npm run bench -- <benchmark> [options]\n${name ? `unknown benchmark "${name}"\n` : ''}benchmarks:\n${list}`);
    return 2;
  }
  await benchmark.run(rest);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
