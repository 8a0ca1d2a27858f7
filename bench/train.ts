/**
 * `npm run bench -- train [--seconds N] [--json]`: training examples/s of the MLP and of the
 * transformer companion on each backend (bench/trainThroughput.ts, which runs every backend in a
 * process of its own).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./trainThroughput.ts', import.meta.url));

export async function runTrainBench(argv: readonly string[]): Promise<void> {
  for (const model of ['mlp', 'transformer']) {
    const result = spawnSync(process.execPath, [SCRIPT, '--model', model, ...argv], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`bench/trainThroughput.ts --model ${model} exited with ${result.status ?? result.signal}`);
  }
}
