// Each alignment loss against values computed by hand (plain Math) on fixed log-probs.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadTf } from '../../../src/core/model/backend';
import type { TF } from '../../../src/core/model/types';
import { alignmentLoss, LossOptions } from '../../../src/core/train/losses';
import type { AlignLoss } from '../../../src/core/train/config';

const logSig = (x: number) => -Math.log1p(Math.exp(-x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// Two pairs: summed response log-probs and response token counts.
const P = { chosen: [-10, -12], rejected: [-11, -9], nc: [5, 4], nr: [2, 3] };
const R = { chosen: [-10.5, -12], rejected: [-10.5, -9.5] };
const OPTS: LossOptions = { beta: 0.1, labelSmoothing: 0, simpoGamma: 0.5, orpoLambda: 0.1 };

describe('alignment losses (TRL semantics)', () => {
  let tf: TF;
  before(async () => { tf = (await loadTf({ backend: 'cpu' })).tf; });

  function run(kind: AlignLoss, opts: LossOptions = OPTS) {
    const out = alignmentLoss(tf, kind, {
      chosen: tf.tensor1d(P.chosen), rejected: tf.tensor1d(P.rejected),
      chosenTokens: tf.tensor1d(P.nc), rejectedTokens: tf.tensor1d(P.nr),
    }, { chosen: tf.tensor1d(R.chosen), rejected: tf.tensor1d(R.rejected) }, opts);
    return {
      loss: out.loss.dataSync()[0],
      chosenRewards: Array.from(out.chosenRewards.dataSync()),
      rejectedRewards: Array.from(out.rejectedRewards.dataSync()),
    };
  }
  const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

  it('sigmoid (DPO): −log σ(βΔ), rewards β·(π − ref)', () => {
    // Δ = (π_w − ref_w) − (π_l − ref_l) = [1.0, −0.5]
    const out = run('sigmoid');
    close(out.loss, mean([-logSig(0.1 * 1.0), -logSig(0.1 * -0.5)]));
    out.chosenRewards.forEach((r, i) => close(r, [0.05, 0][i]));
    out.rejectedRewards.forEach((r, i) => close(r, [-0.05, 0.05][i]));
  });

  it('sigmoid with label smoothing ε (conservative DPO)', () => {
    const eps = 0.2;
    const out = run('sigmoid', { ...OPTS, labelSmoothing: eps });
    const f = (z: number) => -(1 - eps) * logSig(z) - eps * logSig(-z);
    close(out.loss, mean([f(0.1), f(-0.05)]));
  });

  it('ipo: (Δ − 1/(2β))² on length-averaged log-probs', () => {
    const d = [(-10 / 5 - -10.5 / 5) - (-11 / 2 - -10.5 / 2), (-12 / 4 - -12 / 4) - (-9 / 3 - -9.5 / 3)];
    const out = run('ipo');
    close(out.loss, mean(d.map((x) => (x - 1 / (2 * 0.1)) ** 2)), 1e-4);
  });

  it('hinge: relu(1 − βΔ)', () => {
    close(run('hinge').loss, mean([Math.max(0, 1 - 0.1 * 1.0), Math.max(0, 1 - 0.1 * -0.5)]));
  });

  it('simpo: −log σ(β(avg_w − avg_l) − γ), reference-free, rewards β·avg', () => {
    const aw = [-10 / 5, -12 / 4];
    const al = [-11 / 2, -9 / 3];
    const out = run('simpo');
    close(out.loss, mean(aw.map((w, i) => -logSig(0.1 * (w - al[i]) - 0.5))));
    out.chosenRewards.forEach((r, i) => close(r, 0.1 * aw[i]));
    out.rejectedRewards.forEach((r, i) => close(r, 0.1 * al[i]));
  });

  it('orpo: NLL(chosen) − λ·log σ(log odds_w − log odds_l)', () => {
    const aw = [-10 / 5, -12 / 4];
    const al = [-11 / 2, -9 / 3];
    const logOdds = (p: number) => p - Math.log1p(-Math.exp(p));
    const nll = 22 / 9; // −Σ chosen log-probs / Σ chosen tokens
    const out = run('orpo');
    close(out.loss, mean(aw.map((w, i) => nll - 0.1 * logSig(logOdds(w) - logOdds(al[i])))));
  });

  it('the log-sigmoid form has a finite gradient on intermediate tensors (tf.logSigmoid crashes there)', () => {
    const x = tf.variable(tf.tensor1d([-3, 0.5]));
    const { value, grads } = tf.variableGrads(() => alignmentLoss(tf, 'sigmoid', {
      chosen: tf.mul(x, 2) as never, rejected: tf.tensor1d([0, 0]), chosenTokens: tf.tensor1d([1, 1]), rejectedTokens: tf.tensor1d([1, 1]),
    }, { chosen: tf.tensor1d([0, 0]), rejected: tf.tensor1d([0, 0]) }, OPTS).loss, [x]);
    const g = Array.from(Object.values(grads)[0].dataSync());
    assert.ok(Number.isFinite(value.dataSync()[0]));
    // d/dx mean(−log σ(β·2x)) = −β·2·σ(−β·2x)/2
    g.forEach((gi, i) => close(gi, (-0.1 * 2 * (1 / (1 + Math.exp(0.1 * 2 * [-3, 0.5][i])))) / 2));
    x.dispose();
  });
});
