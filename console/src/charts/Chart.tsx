/**
 * A uPlot chart as a React component: series of numbers over a shared x axis, drawn as lines or
 * as bars. The chart is rebuilt when its data changes (the console's charts are small).
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

export interface ChartProps {
  readonly title: string;
  readonly xLabel: string;
  /** x values; with `categories`, bar positions 0..n-1 labelled by them. */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly bars?: boolean;
  readonly categories?: readonly string[];
  readonly height?: number;
  readonly testId?: string;
}

export const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2'];

function formatTick(tick: number): string {
  if (Math.abs(tick) >= 1000) return tick.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return String(Number(tick.toPrecision(4)));
}

export function Chart(props: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const { title, xLabel, x, series, bars, categories, height = 220 } = props;
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const width = Math.max(320, element.clientWidth || 560);
    // Two bar series stand side by side (left and right of the tick); one is centred.
    const barPaths = (index: number) => uPlot.paths.bars?.({ size: [series.length > 1 ? 0.4 : 0.7, 60], align: series.length > 1 ? (index === 0 ? -1 : 1) : 0 });
    const options: uPlot.Options = {
      title,
      width,
      height,
      scales: { x: bars ? { time: false, range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [min - 0.5, max + 0.5] } : { time: false } },
      axes: [
        {
          label: xLabel,
          // Whole numbers on the x axis when every x is whole (epochs, dimensions, bins).
          ...(x.every(Number.isInteger) ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : {}),
          ...(categories ? { values: (_u: uPlot, ticks: number[]) => ticks.map((tick) => (Number.isInteger(tick) ? (categories[tick] ?? '') : '')) } : {}),
        },
        { values: (_u: uPlot, ticks: number[]) => ticks.map(formatTick), size: 72 },
      ],
      series: [
        { label: xLabel, ...(categories ? { value: (_u: uPlot, v: number | null) => (v == null ? '-' : (categories[v] ?? String(v))) } : {}) },
        ...series.map((s, index) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(bars ? { fill: `${s.color}99`, paths: barPaths(index), points: { show: false } } : { points: { show: x.length < 40 } }),
        })),
      ],
    };
    const data = [Array.from(x), ...series.map((s) => Array.from(s.values))] as uPlot.AlignedData;
    const plot = new uPlot(options, data, element);
    return () => plot.destroy();
  }, [title, xLabel, x, series, bars, categories, height]);
  return <div className="chart" data-testid={props.testId} ref={container} />;
}
