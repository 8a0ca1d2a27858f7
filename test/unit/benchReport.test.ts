import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from '../../bench/report/svgCharts.ts';
import { headlineTable } from '../../bench/report/writeResults.ts';

describe('benchmark report rendering', () => {
  it('draws a line chart with one path per series, escaped labels and a target rule', () => {
    const svg = lineChart({
      title: 'recall <cosine> & more', xLabel: 'ef_search', yLabel: 'recall', logX: true,
      series: [{ name: 'a', points: [[20, 0.5], [40, 0.9], [400, 1]] }, { name: 'b', points: [[20, 0.7], [400, 0.99]] }],
      rules: [{ y: 0.95, label: 'target' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('recall &lt;cosine&gt; &amp; more');
    expect(svg).not.toContain('<cosine>');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('draws one bar per finite value and skips missing ones, also on a log scale', () => {
    const svg = barChart({
      title: 'phases', yLabel: 's', logY: true, seriesNames: ['read', 'write'],
      groups: [{ label: 'full', values: { read: 12, write: 3 } }, { label: 'incremental', values: { read: 0.5, write: null } }],
    });
    expect(svg.match(/<rect x=/g)?.length).toBe(3 + 2); // 3 bars and 2 legend swatches
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('states every target as met or NOT met, and failures as FAILED', () => {
    const table = headlineTable([
      { name: 'materialize', description: '', seconds: 10, report: { headline: [{ what: 'full', value: '25 s', target: '<= 20 s', met: false }, { what: 'incremental', value: '0.5 s', target: '<= 1 s', met: true }, { what: 'small', value: '1 s', target: '<= 20 s at 100k', met: null }], markdown: '', charts: [], data: null } },
      { name: 'ann', description: '', seconds: 1, report: null, error: 'Error: boom\n at x' },
    ]);
    expect(table).toContain('| full | 25 s | <= 20 s | NOT met |');
    expect(table).toContain('| incremental | 0.5 s | <= 1 s | met |');
    expect(table).toContain('not measured');
    expect(table).toContain('| ann | FAILED | Error: boom |');
  });
});
