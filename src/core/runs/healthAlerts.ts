// The NaN alert, computed from metrics rows. The plateau and falling-chosen-reward alerts come from
// the trainer's HealthMonitor as `alert` events (also replayed from metrics.jsonl), so they are not recomputed here.
import type { CurvesAlert, MetricsRow } from '../protocol';

/** A NaN alert for the first row with a NaN metric (JSON writes NaN as null), unless one was raised. */
export function detectRowAlerts(run: string, rows: MetricsRow[], raised: CurvesAlert[]): CurvesAlert[] {
  const last = rows[rows.length - 1];
  if (!last || raised.some((a) => a.code === 'nan')) return [];
  const bad = Object.entries(last).find(([, v]) => v === null || (typeof v === 'number' && Number.isNaN(v)));
  if (!bad) return [];
  return [{ run, code: 'nan', step: last.step, message: `${bad[0]} is NaN at step ${last.step}: training diverged (lower the learning rate or β).` }];
}
