// Metrics rows of one or more runs as CSV (run, step, then every metric name seen), for spreadsheet tools.
import type { MetricsRow } from '../protocol';

/**
 * A text cell (run and metric names, which may come from a shipped run folder): a leading = + - @ (or tab/CR)
 * would make a spreadsheet run it as a formula, so it is prefixed with ' (OWASP's CSV-injection rule), and the
 * cell is quoted. Numbers are written by this module from finite values and stay as they are.
 */
export function csvTextCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r']/.test(safe) || safe !== v ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function metricsToCsv(runs: Array<{ name: string; rows: MetricsRow[] }>): string {
  const metrics = new Set<string>();
  for (const run of runs) for (const row of run.rows) for (const k of Object.keys(row)) if (k !== 'step') metrics.add(k);
  const columns = [...metrics].sort();
  const lines = [['run', 'step', ...columns].map(csvTextCell).join(',')];
  for (const run of runs) {
    for (const row of run.rows) {
      // JSON has no NaN: a NaN metric arrives as null and is written as NaN so it stays visible.
      const values = columns.map((c) => (c in row ? numberCell(row[c]) : ''));
      lines.push([csvTextCell(run.name), numberCell(row.step), ...values].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** A metric value: a number as JSON wrote it; JSON has no NaN, so null (NaN) is written as NaN; anything else (a crafted file) as text. */
function numberCell(v: unknown): string {
  if (v === null) return 'NaN';
  return typeof v === 'number' ? String(v) : csvTextCell(String(v));
}
