// TensorBoard's smoothing: an exponential moving average, debiased so the first points are not pulled to 0.
// Missing/NaN points pass through unchanged and do not move the average.

export function emaSmooth(values: Array<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return values.slice();
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    count += 1;
    return last / (1 - weight ** count);
  });
}
