/**
 * What a benchmark hands the harness (bench/run.ts): the headline figures with their targets,
 * a Markdown section, SVG charts and the raw data for the JSON file.
 */
export interface HeadlineRow {
  /** What was measured, e.g. "materialize full, item_synthesized, server". */
  readonly what: string;
  /** The figure as shown, e.g. "5,120 entities/s (19.5 s)". */
  readonly value: string;
  /** The target as stated in the issue, e.g. "<= 20 s"; absent for context figures. */
  readonly target?: string;
  /** Whether the target is met; null when it could not be measured. */
  readonly met?: boolean | null;
}

export interface Chart {
  /** File-name friendly id, unique within the report. */
  readonly id: string;
  readonly title: string;
  readonly svg: string;
}

export interface BenchReport {
  readonly headline: readonly HeadlineRow[];
  /** Markdown body of the benchmark's section (tables, notes), without its title. */
  readonly markdown: string;
  readonly charts: readonly Chart[];
  /** Everything measured, for bench/results/<date>.json. */
  readonly data: unknown;
}

/** Context every benchmark gets from the harness. */
export interface BenchContext {
  /** --quick: small sizes, the whole run under 2 minutes (CI). */
  readonly quick: boolean;
  /** Part of a run of every benchmark (`npm run bench`), not run by name. */
  readonly all: boolean;
  /** Progress lines (stderr). */
  log(message: string): void;
}

export interface Benchmark {
  readonly description: string;
  /** Runs with its own command-line options; a benchmark that returns nothing is listed as run. */
  run(argv: readonly string[], context: BenchContext): Promise<BenchReport | void | unknown>;
}

export function isBenchReport(value: unknown): value is BenchReport {
  return typeof value === 'object' && value !== null && Array.isArray((value as BenchReport).headline) && typeof (value as BenchReport).markdown === 'string';
}

/** "met" / "NOT met" / "not measured". */
export function verdict(met: boolean | null | undefined): string {
  return met === undefined ? '' : met === null ? 'not measured' : met ? 'met' : 'NOT met';
}

export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
