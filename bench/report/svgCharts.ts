/**
 * Small, dependency-free SVG charts for the benchmark reports: line charts (training curves,
 * recall against ef_search) and grouped bar charts (AUC per variant, latency percentiles). Plain
 * SVG 1.1 with inline styles, so that the files render in browsers and on code-hosting sites
 * without scripts or fonts of their own.
 */

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Log-scale x axis (ef_search). */
  readonly logX?: boolean;
  /** Horizontal reference lines, e.g. a target. */
  readonly rules?: readonly { readonly y: number; readonly label: string }[];
  readonly yMin?: number;
  readonly yMax?: number;
}

export interface BarChartOptions {
  readonly title: string;
  readonly yLabel: string;
  /** Groups along the x axis, each with one bar per series name. */
  readonly groups: readonly { readonly label: string; readonly values: Readonly<Record<string, number | null>> }[];
  readonly seriesNames: readonly string[];
  readonly rules?: readonly { readonly y: number; readonly label: string }[];
  readonly yMin?: number;
  readonly logY?: boolean;
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { top: 40, right: 150, bottom: 50, left: 64 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function lineChart(options: LineChartOptions): string {
  const points = options.series.flatMap((series) => series.points);
  const xs = points.map(([x]) => x);
  const ys = [...points.map(([, y]) => y), ...(options.rules ?? []).map((rule) => rule.y)];
  const x = scale(Math.min(...xs), Math.max(...xs), MARGIN.left, WIDTH - MARGIN.right, options.logX ?? false);
  const y = scale(options.yMin ?? niceMin(ys), options.yMax ?? niceMax(ys), HEIGHT - MARGIN.bottom, MARGIN.top, false);
  const body: string[] = [];
  body.push(...axes(x, y, options.xLabel, options.yLabel, options.logX ? xs : undefined));
  for (const rule of options.rules ?? []) body.push(ruleLine(y, rule));
  options.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length]!;
    const path = series.points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${x.at(px).toFixed(1)},${y.at(py).toFixed(1)}`).join(' ');
    body.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [px, py] of series.points) body.push(`<circle cx="${x.at(px).toFixed(1)}" cy="${y.at(py).toFixed(1)}" r="3" fill="${color}"><title>${escape(series.name)}: ${px}, ${round(py)}</title></circle>`);
  });
  body.push(legend(options.series.map((series) => series.name)));
  return frame(options.title, body);
}

export function barChart(options: BarChartOptions): string {
  const values = options.groups.flatMap((group) => Object.values(group.values).filter((value): value is number => value !== null && Number.isFinite(value)));
  const ys = [...values, ...(options.rules ?? []).map((rule) => rule.y)];
  const logY = options.logY ?? false;
  const y = scale(logY ? Math.min(...ys) / 1.5 : (options.yMin ?? Math.min(0, niceMin(ys))), logY ? Math.max(...ys) * 1.5 : niceMax(ys), HEIGHT - MARGIN.bottom, MARGIN.top, logY);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const groupWidth = plotWidth / Math.max(1, options.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, options.seriesNames.length);
  const body: string[] = [];
  body.push(...yAxis(y, options.yLabel));
  body.push(`<line x1="${MARGIN.left}" y1="${HEIGHT - MARGIN.bottom}" x2="${WIDTH - MARGIN.right}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`);
  options.groups.forEach((group, g) => {
    const left = MARGIN.left + g * groupWidth + groupWidth * 0.1;
    options.seriesNames.forEach((name, s) => {
      const value = group.values[name];
      if (value === null || value === undefined || !Number.isFinite(value)) return;
      const top = y.at(value);
      const base = y.at(logY ? y.domain[0] : Math.max(y.domain[0], 0));
      body.push(
        `<rect x="${(left + s * barWidth).toFixed(1)}" y="${Math.min(top, base).toFixed(1)}" width="${(barWidth * 0.92).toFixed(1)}" height="${Math.abs(base - top).toFixed(1)}" fill="${COLORS[s % COLORS.length]}"><title>${escape(group.label)} ${escape(name)}: ${round(value)}</title></rect>`,
      );
    });
    body.push(`<text x="${(left + groupWidth * 0.4).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 16}" font-size="10" text-anchor="middle">${escape(group.label)}</text>`);
  });
  for (const rule of options.rules ?? []) body.push(ruleLine(y, rule));
  body.push(legend(options.seriesNames));
  return frame(options.title, body);
}

interface Scale {
  readonly domain: readonly [number, number];
  at(value: number): number;
  ticks(): number[];
}

function scale(min: number, max: number, from: number, to: number, log: boolean): Scale {
  let low = Number.isFinite(min) ? min : 0;
  let high = Number.isFinite(max) ? max : 1;
  if (high === low) {
    high = low + (low === 0 ? 1 : Math.abs(low) * 0.1);
    low = low - (low === 0 ? 0 : Math.abs(low) * 0.1);
  }
  const f = log ? Math.log10 : (v: number) => v;
  const a = f(Math.max(low, log ? 1e-12 : low));
  const b = f(high);
  return {
    domain: [low, high],
    at: (value) => from + ((f(Math.max(value, log ? 1e-12 : value)) - a) / (b - a)) * (to - from),
    ticks: () => {
      if (log) {
        const ticks: number[] = [];
        for (let e = Math.floor(a); e <= Math.ceil(b); e++) for (const m of [1, 2, 5]) if (m * 10 ** e >= low && m * 10 ** e <= high) ticks.push(m * 10 ** e);
        return ticks;
      }
      const step = niceStep((high - low) / 5);
      const ticks: number[] = [];
      for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
      return ticks;
    },
  };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

function niceMin(values: readonly number[]): number {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min - (max - min) * 0.05;
}

function niceMax(values: readonly number[]): number {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return max + (max - min) * 0.05 || max + 1;
}

function axes(x: Scale, y: Scale, xLabel: string, yLabel: string, xTicks?: readonly number[]): string[] {
  const out = yAxis(y, yLabel);
  const bottom = HEIGHT - MARGIN.bottom;
  out.push(`<line x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}" stroke="#333"/>`);
  for (const tick of xTicks ? [...new Set(xTicks)].sort((a, b) => a - b) : x.ticks()) {
    const px = x.at(tick).toFixed(1);
    out.push(`<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 4}" stroke="#333"/><text x="${px}" y="${bottom + 16}" font-size="10" text-anchor="middle">${round(tick)}</text>`);
  }
  out.push(`<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 12}" font-size="12" text-anchor="middle">${escape(xLabel)}</text>`);
  return out;
}

function yAxis(y: Scale, label: string): string[] {
  const out = [`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`];
  for (const tick of y.ticks()) {
    const py = y.at(tick).toFixed(1);
    out.push(`<line x1="${MARGIN.left - 4}" y1="${py}" x2="${WIDTH - MARGIN.right}" y2="${py}" stroke="#e5e5e5"/><text x="${MARGIN.left - 6}" y="${py}" font-size="10" text-anchor="end" dominant-baseline="middle">${round(tick)}</text>`);
  }
  out.push(`<text transform="translate(16 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escape(label)}</text>`);
  return out;
}

function ruleLine(y: Scale, rule: { readonly y: number; readonly label: string }): string {
  const py = y.at(rule.y).toFixed(1);
  return `<line x1="${MARGIN.left}" y1="${py}" x2="${WIDTH - MARGIN.right}" y2="${py}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${WIDTH - MARGIN.right + 4}" y="${py}" font-size="10" fill="#d62728" dominant-baseline="middle">${escape(rule.label)}</text>`;
}

function legend(names: readonly string[]): string {
  return names
    .map((name, index) => {
      const top = MARGIN.top + 10 + index * 16;
      return `<rect x="${WIDTH - MARGIN.right + 12}" y="${top - 8}" width="10" height="10" fill="${COLORS[index % COLORS.length]}"/><text x="${WIDTH - MARGIN.right + 26}" y="${top}" font-size="11">${escape(name)}</text>`;
    })
    .join('');
}

function frame(title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="22" font-size="14" font-weight="bold" text-anchor="middle">${escape(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 1 ? Number(value.toFixed(2)).toString() : Number(value.toPrecision(3)).toString();
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
