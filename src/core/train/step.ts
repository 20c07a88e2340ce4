// One batch of the objective L = L_align + γ·(CE_pref + CE_dispref): the forward pass over the pairs
// (and their SPO variants), the loss, and the host-side numbers logged for it.
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, TF } from '../model/types';
import type { AlignLoss, Pooling } from './config';
import { alignmentLoss, LossOptions, RefLogps, usesReference } from './losses';
import { EncodedPair, batchTensors, padBatch, pooledResponseHidden, responseLogProbs, scoreEncoded } from '../model/logprobs';
import { HeadName, SpoHeads, headCrossEntropy, headLogits } from './spoHeads';

/** One SPO variant: which row of the forward batch holds it, and its class label. */
export interface VariantRow {
  /** Index into the sequences of the step (0..2B−1 reuses an intact pair row). */
  row: number;
  label: number;
}

/** Everything one step needs, on the host. Rows: chosen[0..B), rejected[B..2B), then extra variant rows. */
export interface StepInput {
  sequences: EncodedPair[];
  pairs: number;
  pref: VariantRow[];
  dispref: VariantRow[];
  /** Precomputed reference log-probs (per pair), when the run precomputes them. */
  refLogps?: { chosen: number[]; rejected: number[] };
  /** Variants considered (2B) and kept (not masked): for spo/coverage. */
  coverage: number;
}

export interface StepSettings {
  loss: AlignLoss;
  lossOptions: LossOptions;
  gamma: number;
  pooling: Pooling;
  padId: number;
}

/** The logged numbers of one step or eval batch (spo-method.md §5 names, without `eval/`). */
export type StepMetrics = Record<string, number>;

export interface StepResult {
  loss: tfjs.Scalar;
  /** Read the step's numbers; disposes every tensor the step kept, `loss` included. */
  collect: () => StepMetrics;
  tokens: number;
}

/** Reference log-probs of the pairs, from a frozen model, without gradients. */
export function referenceLogps(tf: TF, reference: CausalLM, sequences: EncodedPair[], pairs: number, padId: number): { chosen: number[]; rejected: number[] } {
  // Chunked scoring: no [B, T, V] logits, so the reference costs little memory beyond its weights.
  const data = Array.from(scoreEncoded(tf, reference, sequences.slice(0, 2 * pairs), { batchSize: 2 * pairs, padId }).sum);
  return { chosen: data.slice(0, pairs), rejected: data.slice(pairs, 2 * pairs) };
}

/**
 * Build the loss for one batch (call inside tf.variableGrads or tf.tidy). Side tensors are kept
 * and read by `collect()`, which disposes them.
 */
export function stepLoss(tf: TF, policy: CausalLM, heads: SpoHeads | null, input: StepInput, s: StepSettings): StepResult {
  const B = input.pairs;
  // γ = 0 turns SPO off entirely, so the step is exactly the plain alignment step (no extra rows).
  const spoOn = s.gamma > 0 && heads !== null && (input.pref.length > 0 || input.dispref.length > 0);
  const pairSeqs = input.sequences.slice(0, 2 * B);
  const batch = batchTensors(tf, padBatch(pairSeqs, s.padId));
  const { logits, hidden } = policy.forward(batch.ids);
  const { sum: lp, count: counts } = responseLogProbs(tf, logits, batch.ids, batch.responseMask);
  const policyLogps = {
    chosen: tf.slice(lp, [0], [B]) as tfjs.Tensor1D,
    rejected: tf.slice(lp, [B], [B]) as tfjs.Tensor1D,
    chosenTokens: tf.maximum(tf.slice(counts, [0], [B]), 1) as tfjs.Tensor1D,
    rejectedTokens: tf.maximum(tf.slice(counts, [B], [B]), 1) as tfjs.Tensor1D,
  };
  let ref: RefLogps | null = null;
  if (usesReference(s.loss)) {
    if (!input.refLogps) throw new Error(`loss '${s.loss}' needs reference log-probs for the batch`);
    ref = { chosen: tf.tensor1d(input.refLogps.chosen), rejected: tf.tensor1d(input.refLogps.rejected) };
  }
  const align = alignmentLoss(tf, s.loss, policyLogps, ref, s.lossOptions);

  const kept: tfjs.Tensor[] = [align.loss, align.chosenRewards, align.rejectedRewards, align.chosenLogps, align.rejectedLogps];
  let total: tfjs.Scalar = align.loss;
  const headOut: Partial<Record<HeadName, { ce: tfjs.Scalar; logits: tfjs.Tensor2D; labels: number[] }>> = {};
  if (spoOn) {
    // The variants run as a second batch through the backbone alone: the heads read hidden states, so
    // their LM head (the costliest matmul of a small model) is never computed.
    let pooled = pooledResponseHidden(tf, hidden, batch.responseMask, s.pooling);
    const extra = input.sequences.slice(2 * B);
    if (extra.length > 0) {
      const extraBatch = batchTensors(tf, padBatch(extra, s.padId));
      const extraHidden = policy.hiddenStates(extraBatch.ids);
      pooled = tf.concat([pooled, pooledResponseHidden(tf, extraHidden, extraBatch.responseMask, s.pooling)], 0) as tfjs.Tensor2D;
    }
    const nRows = input.sequences.length;
    let spoSum: tfjs.Scalar | null = null;
    for (const head of ['pref', 'dispref'] as const) {
      const rows = input[head];
      if (rows.length === 0) continue;
      // Row selection as a one-hot matMul: tf.gather's gradient needs a kernel wasm lacks.
      // (Cast, not oneHot's dtype argument: wasm's OneHot writes int32 bits into a float32 tensor.)
      const select = tf.cast(tf.oneHot(tf.tensor1d(rows.map((r) => r.row), 'int32'), nRows), 'float32');
      const picked = tf.matMul(select, pooled) as tfjs.Tensor2D;
      const logitsK = headLogits(tf, heads!, head, picked);
      const labels = rows.map((r) => r.label);
      const ce = headCrossEntropy(tf, logitsK, tf.tensor1d(labels, 'int32'));
      headOut[head] = { ce, logits: logitsK, labels };
      kept.push(ce, logitsK);
      spoSum = spoSum ? (tf.add(spoSum, ce) as tfjs.Scalar) : ce;
    }
    if (spoSum) total = tf.add(align.loss, tf.mul(s.gamma, spoSum)) as tfjs.Scalar;
  }
  kept.push(total);
  for (const t of kept) tf.keep(t);

  const collect = (): StepMetrics => {
    const [loss] = align.loss.dataSync();
    const cr = Array.from(align.chosenRewards.dataSync());
    const rr = Array.from(align.rejectedRewards.dataSync());
    const cl = Array.from(align.chosenLogps.dataSync());
    const rl = Array.from(align.rejectedLogps.dataSync());
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const m: StepMetrics = {
      'loss/align': loss,
      'rewards/chosen': mean(cr),
      'rewards/rejected': mean(rr),
      'rewards/margins': mean(cr.map((c, i) => c - rr[i])),
      'rewards/accuracies': mean(cr.map((c, i) => (c > rr[i] ? 1 : 0))),
      'logps/chosen': mean(cl),
      'logps/rejected': mean(rl),
    };
    if (s.gamma > 0 && heads !== null) {
      for (const head of ['pref', 'dispref'] as const) {
        const out = headOut[head];
        const ce = out ? out.ce.dataSync()[0] : 0;
        m[`loss/spo_${head}`] = ce;
        if (out) {
          const K = out.logits.shape[1];
          const lg = out.logits.dataSync();
          let right = 0;
          out.labels.forEach((label, i) => {
            let best = 0;
            for (let k = 1; k < K; k++) if (lg[i * K + k] > lg[i * K + best]) best = k;
            if (best === label) right++;
          });
          m[`spo/acc_${head}`] = right / out.labels.length;
        }
      }
      m['spo/coverage'] = input.coverage;
    }
    m.loss = total.dataSync()[0];
    for (const t of kept) t.dispose();
    return m;
  };
  return { loss: total, collect, tokens: countTokens(pairSeqs) };
}

/** Real (non-pad) tokens of the sequences. */
export function countTokens(seqs: readonly EncodedPair[]): number {
  return seqs.reduce((n, e) => n + e.ids.length, 0);
}
