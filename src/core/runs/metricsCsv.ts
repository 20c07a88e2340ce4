// Metrics rows of one or more runs as CSV (run, step, then every metric name seen), for spreadsheet tools.
import type { MetricsRow } from '../protocol';

function cell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function metricsToCsv(runs: Array<{ name: string; rows: MetricsRow[] }>): string {
  const metrics = new Set<string>();
  for (const run of runs) for (const row of run.rows) for (const k of Object.keys(row)) if (k !== 'step') metrics.add(k);
  const columns = [...metrics].sort();
  const lines = [['run', 'step', ...columns].map(cell).join(',')];
  for (const run of runs) {
    for (const row of run.rows) {
      // JSON has no NaN: a NaN metric arrives as null and is written as NaN so it stays visible.
      const values = columns.map((c) => (c in row ? (row[c] === null ? 'NaN' : String(row[c])) : ''));
      lines.push([cell(run.name), String(row.step), ...values].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
