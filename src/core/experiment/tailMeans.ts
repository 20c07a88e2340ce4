// The mean of each training metric over a run's last logged steps (one batch alone is noisy); both
// engines' arms report it.
export function tailMeans(rows: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const sums: Record<string, { sum: number; n: number }> = {};
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      if (k === 'step' || !Number.isFinite(v)) continue;
      sums[k] ??= { sum: 0, n: 0 };
      sums[k].sum += v;
      sums[k].n++;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, { sum, n }]) => [k, sum / n]));
}
