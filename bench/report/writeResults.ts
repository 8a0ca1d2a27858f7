/**
 * Writes one harness run to bench/results/<stamp>.json and a readable <stamp>.md, with the
 * charts as SVG files in <stamp>-charts/ (referenced from the Markdown), and renders the headline
 * table that the harness prints at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchReport, type HeadlineRow, markdownTable, verdict } from './BenchReport.ts';

export interface BenchOutcome {
  readonly name: string;
  readonly description: string;
  readonly seconds: number;
  readonly report: BenchReport | null;
  /** What a benchmark returned that is not a BenchReport. */
  readonly raw?: unknown;
  readonly error?: string;
}

export interface HarnessRun {
  readonly startedAt: Date;
  readonly quick: boolean;
  readonly argv: readonly string[];
  /** os.loadavg() before and after: the machine is shared, and load skews every timing. */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly outcomes: readonly BenchOutcome[];
}

export function stampOf(date: Date): string {
  return date.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
}

export function headlineTable(outcomes: readonly BenchOutcome[]): string {
  const rows: (readonly string[])[] = [];
  for (const outcome of outcomes) {
    if (outcome.error) rows.push([outcome.name, 'FAILED', outcome.error.split('\n')[0]!.slice(0, 120), '', '']);
    for (const row of outcome.report?.headline ?? []) rows.push([outcome.name, row.what, row.value, row.target ?? '', verdict(row.met)]);
    if (!outcome.error && !outcome.report) rows.push([outcome.name, 'ran', `${outcome.seconds.toFixed(0)} s (no headline figures)`, '', '']);
  }
  return markdownTable(['benchmark', 'measured', 'value', 'target', ''], rows);
}

export function writeResults(dir: string, run: HarnessRun): { json: string; markdown: string } {
  const stamp = stampOf(run.startedAt);
  fs.mkdirSync(dir, { recursive: true });
  const chartsDir = `${stamp}-charts`;
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
  const json = path.join(dir, `${stamp}.json`);
  fs.writeFileSync(
    json,
    `${JSON.stringify(
      {
        startedAt: run.startedAt.toISOString(),
        quick: run.quick,
        argv: run.argv,
        machine,
        load: { before: run.loadBefore, after: run.loadAfter },
        benchmarks: Object.fromEntries(
          run.outcomes.map((outcome) => [
            outcome.name,
            { seconds: outcome.seconds, ...(outcome.error ? { error: outcome.error } : {}), headline: outcome.report?.headline ?? [], data: outcome.report?.data ?? outcome.raw ?? null },
          ]),
        ),
      },
      null,
      2,
    )}\n`,
  );
  const sections: string[] = [];
  for (const outcome of run.outcomes) {
    sections.push(`## ${outcome.name}: ${outcome.description}`, '', `${outcome.seconds.toFixed(0)} s`, '');
    if (outcome.error) sections.push('**FAILED**', '', '```', outcome.error, '```', '');
    if (!outcome.report) continue;
    sections.push(outcome.report.markdown, '');
    for (const chart of outcome.report.charts) {
      const file = `${outcome.name}-${chart.id}.svg`;
      fs.mkdirSync(path.join(dir, chartsDir), { recursive: true });
      fs.writeFileSync(path.join(dir, chartsDir, file), chart.svg);
      sections.push(`![${chart.title}](${chartsDir}/${file})`, '');
    }
  }
  const markdown = path.join(dir, `${stamp}.md`);
  fs.writeFileSync(
    markdown,
    [
      `# Benchmarks ${stamp}${run.quick ? ' (quick)' : ''}`,
      '',
      `\`npm run bench${run.argv.length ? ` -- ${run.argv.join(' ')}` : ''}\` on ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; ` +
        `load average ${run.loadBefore.map((x) => x.toFixed(1)).join('/')} before, ${run.loadAfter.map((x) => x.toFixed(1)).join('/')} after (1/5/15 min; the machine is shared, so timings are comparable within one run).`,
      '',
      '## Headline',
      '',
      headlineTable(run.outcomes),
      '',
      ...sections,
    ].join('\n'),
  );
  return { json, markdown };
}

export type { HeadlineRow };
