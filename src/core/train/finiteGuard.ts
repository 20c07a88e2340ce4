// Finiteness checks before anything irreversible: an update that would put NaN or ±Infinity into the
// weights is not applied, and a checkpoint holding one is not written (resuming it could only fail).

/** The first tensor (by insertion order) holding a non-finite value, with that value. */
export function firstNonFinite(tensors: Map<string, { data: ArrayLike<number> | BigInt64Array }>): { name: string; value: number } | null {
  for (const [name, t] of tensors) {
    const data = t.data;
    if (data instanceof BigInt64Array) continue;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) return { name, value: v };
    }
  }
  return null;
}

/**
 * Where a NaN stop at `failedStep` leaves the run. Every checkpoint saved before step k − 1 is good: its
 * weights gave a finite loss at the step after it. The step k − 1 checkpoint holds the very weights step k
 * ran with; when they give non-finite numbers on a batch that was finite before (`previousIsBad`: weights
 * of 1e37 after `--lr 1e38` are finite, yet every forward pass overflows), it is set aside so no resume
 * picks it, and the stop names the newest one before it.
 */
export function nanStopPlan(savedSteps: readonly number[], failedStep: number, previousIsBad: boolean): { lastGood: number | null; quarantine: number | null } {
  const quarantine = previousIsBad && savedSteps.includes(failedStep - 1) ? failedStep - 1 : null;
  const good = savedSteps.filter((s) => s < failedStep && s !== quarantine);
  return { lastGood: good.length > 0 ? Math.max(...good) : null, quarantine };
}
