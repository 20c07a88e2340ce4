// Alignment losses on per-sequence log-probs, with TRL's names and semantics (DPOTrainer for
// sigmoid/ipo/hinge, CPOTrainer for simpo, ORPOTrainer for orpo), plus the rewards TRL logs.
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/types';
import type { AlignLoss } from './config';

export interface LossOptions {
  beta: number;
  labelSmoothing: number;
  simpoGamma: number;
  orpoLambda: number;
}

/** Summed response log-probs and response token counts, one entry per pair. */
export interface PairLogps {
  chosen: tfjs.Tensor1D;
  rejected: tfjs.Tensor1D;
  chosenTokens: tfjs.Tensor1D;
  rejectedTokens: tfjs.Tensor1D;
}

/** Summed reference log-probs (same token counts as the policy's). */
export interface RefLogps {
  chosen: tfjs.Tensor1D;
  rejected: tfjs.Tensor1D;
}

export interface AlignmentOutput {
  /** Scalar mean loss over the batch. */
  loss: tfjs.Scalar;
  /** Per-pair implicit rewards, as TRL logs them. */
  chosenRewards: tfjs.Tensor1D;
  rejectedRewards: tfjs.Tensor1D;
  /** Per-pair policy log-probs as the loss uses them (length-averaged for ipo/simpo/orpo). */
  chosenLogps: tfjs.Tensor1D;
  rejectedLogps: tfjs.Tensor1D;
}

/** Losses that compare against a reference policy. */
export function usesReference(kind: AlignLoss): boolean {
  return kind === 'sigmoid' || kind === 'ipo' || kind === 'hinge';
}

/** Losses that length-average log-probs (TRL: ipo in DPOTrainer, simpo in CPOTrainer, orpo always). */
export function averagesLogps(kind: AlignLoss): boolean {
  return kind === 'ipo' || kind === 'simpo' || kind === 'orpo';
}

/** log σ(x) as −softplus(−x): tf.logSigmoid's gradient crashes on intermediate tensors (tfjs 4.22). */
export function logSigmoid(tf: TF, x: tfjs.Tensor): tfjs.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/** −(1−ε)·log σ(z) − ε·log σ(−z), the conservative-DPO form TRL uses for sigmoid and simpo. */
function smoothedSigmoidLoss(tf: TF, z: tfjs.Tensor, eps: number): tfjs.Tensor {
  const main = tf.mul(-(1 - eps), logSigmoid(tf, z));
  return eps === 0 ? main : tf.sub(main, tf.mul(eps, logSigmoid(tf, tf.neg(z))));
}

export function alignmentLoss(
  tf: TF,
  kind: AlignLoss,
  policy: PairLogps,
  reference: RefLogps | null,
  opts: LossOptions,
): AlignmentOutput {
  const { beta } = opts;
  const avg = averagesLogps(kind);
  const pw = avg ? tf.div(policy.chosen, policy.chosenTokens) : policy.chosen;
  const pl = avg ? tf.div(policy.rejected, policy.rejectedTokens) : policy.rejected;

  if (usesReference(kind)) {
    if (!reference) throw new Error(`loss '${kind}' needs reference log-probs`);
    const rw = avg ? tf.div(reference.chosen, policy.chosenTokens) : reference.chosen;
    const rl = avg ? tf.div(reference.rejected, policy.rejectedTokens) : reference.rejected;
    const chosenRatio = tf.sub(pw, rw);
    const rejectedRatio = tf.sub(pl, rl);
    const logits = tf.sub(chosenRatio, rejectedRatio);
    let losses: tfjs.Tensor;
    if (kind === 'sigmoid') losses = smoothedSigmoidLoss(tf, tf.mul(beta, logits), opts.labelSmoothing);
    else if (kind === 'ipo') losses = tf.square(tf.sub(logits, 1 / (2 * beta)));
    else losses = tf.relu(tf.sub(1, tf.mul(beta, logits)));
    return {
      loss: tf.mean(losses) as tfjs.Scalar,
      chosenRewards: tf.mul(beta, chosenRatio) as tfjs.Tensor1D,
      rejectedRewards: tf.mul(beta, rejectedRatio) as tfjs.Tensor1D,
      chosenLogps: pw as tfjs.Tensor1D,
      rejectedLogps: pl as tfjs.Tensor1D,
    };
  }

  let losses: tfjs.Tensor;
  if (kind === 'simpo') {
    // TRL CPOTrainer: logits = (avg_w − avg_l) − γ/β, loss on β·logits, i.e. −log σ(β(avg_w − avg_l) − γ).
    const logits = tf.sub(tf.sub(pw, pl), opts.simpoGamma / beta);
    losses = smoothedSigmoidLoss(tf, tf.mul(beta, logits), opts.labelSmoothing);
  } else {
    // ORPO: log odds(p) = log p − log(1 − p) on length-averaged log-probs; loss = NLL(chosen) − λ·log σ(Δ log odds).
    const log1mExp = (x: tfjs.Tensor) => tf.log1p(tf.neg(tf.exp(tf.minimum(x, -1e-7))));
    const logOdds = tf.sub(tf.sub(pw, pl), tf.sub(log1mExp(pw), log1mExp(pl)));
    const ratio = logSigmoid(tf, logOdds);
    const nll = tf.neg(tf.div(tf.sum(policy.chosen), tf.sum(policy.chosenTokens)));
    losses = tf.sub(nll, tf.mul(opts.orpoLambda, ratio));
  }
  return {
    loss: tf.mean(losses) as tfjs.Scalar,
    chosenRewards: tf.mul(beta, pw) as tfjs.Tensor1D,
    rejectedRewards: tf.mul(beta, pl) as tfjs.Tensor1D,
    chosenLogps: pw as tfjs.Tensor1D,
    rejectedLogps: pl as tfjs.Tensor1D,
  };
}
