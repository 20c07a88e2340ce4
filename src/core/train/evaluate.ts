// The held-out evaluation: the step's numbers over the eval split, without gradients, on the variants
// drawn for EVAL_STEP, so that every eval of a run sees the same variants and evals compare.
import type { CausalLM, TF } from '../model/types';
import type { MetricsRow } from '../protocol/trainer';
import { BatchSource, buildInput } from './batch';
import type { SpoHeads } from './spoHeads';
import { StepMetrics, StepSettings, stepLoss } from './step';
import { EVAL_STEP } from './variantDraws';

export interface EvalRun {
  policy: CausalLM;
  /** Null when SPO is off. */
  heads: SpoHeads | null;
  settings: StepSettings;
  batchSize: number;
  /** Polled between batches: true cuts the eval short. */
  shouldStop: () => boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The `eval/`-prefixed row of step `step` over the pairs `evalIdx`; undefined when a stop request cut it
 * short. Each number is the mean over what it counts: a head's cross-entropy and accuracy over that head's
 * kept variants of the whole eval set (as a training step takes them over the batch's: a batch where a head
 * kept no variant adds nothing to it), everything else over pairs.
 */
export async function evaluate(tf: TF, run: EvalRun, src: BatchSource, evalIdx: readonly number[], step: number): Promise<MetricsRow | undefined> {
  const sums: Record<string, number> = {};
  const weights: Record<string, number> = {};
  for (let s = 0; s < evalIdx.length; s += run.batchSize) {
    await yieldToEventLoop(); // a stop request can arrive between batches
    if (run.shouldStop()) return undefined;
    const idx = evalIdx.slice(s, s + run.batchSize);
    const input = buildInput(src, idx, EVAL_STEP);
    let m: StepMetrics = {};
    tf.tidy(() => { m = stepLoss(tf, run.policy, run.heads, input, run.settings).collect(); });
    for (const [k, v] of Object.entries(m)) {
      const w = k === 'spo/acc_pref' || k === 'loss/spo_pref' ? input.pref.length
        : k === 'spo/acc_dispref' || k === 'loss/spo_dispref' ? input.dispref.length : idx.length;
      sums[k] = (sums[k] ?? 0) + v * w;
      weights[k] = (weights[k] ?? 0) + w;
    }
  }
  const row: MetricsRow = { step };
  for (const k of Object.keys(sums)) row[`eval/${k}`] = sums[k] / Math.max(1, weights[k]);
  return row;
}
