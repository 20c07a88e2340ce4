// γ = 0 reproduces the plain alignment loss exactly: same loss value and same parameter updates as a
// step written directly from the model forward and the alignment loss, with no SPO code involved.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as tfjs from '@tensorflow/tfjs';
import { loadTf } from '../../../src/core/model/backend';
import type { CausalLM, CausalLMConfig, TF } from '../../../src/core/model/types';
import { createGpt2 } from '../../../src/core/model/gpt2';
import { EncodedPair, batchTensors, padBatch, responseLogProbs } from '../../../src/core/model/logprobs';
import { SeededRandom } from '../../../src/core/random';
import { alignmentLoss } from '../../../src/core/train/losses';
import { createSpoHeads } from '../../../src/core/train/spoHeads';
import { AdamW } from '../../../src/core/train/optim';
import { StepInput, StepSettings, stepLoss } from '../../../src/core/train/step';

const CONFIG: CausalLMConfig = {
  architecture: 'gpt2', vocabSize: 64, contextLength: 32, dModel: 16, nLayers: 1, nHeads: 2, nKvHeads: 2,
  dFf: 64, tieWordEmbeddings: true, normEps: 1e-5,
};

function randomSeq(rng: SeededRandom, promptLen: number, responseLen: number): EncodedPair {
  const ids = Array.from({ length: promptLen + responseLen }, () => 1 + rng.int(63));
  return { ids, responseStart: promptLen, responseEnd: ids.length, truncated: { prompt: 0, response: 0 } };
}

describe('γ = 0', () => {
  let tf: TF;
  before(async () => { tf = (await loadTf({ backend: 'cpu' })).tf; });

  function batch(): StepInput {
    const rng = new SeededRandom(11);
    const B = 3;
    const chosen = Array.from({ length: B }, () => randomSeq(rng, 4 + rng.int(4), 5 + rng.int(6)));
    const rejected = Array.from({ length: B }, () => randomSeq(rng, 4 + rng.int(4), 5 + rng.int(6)));
    const variants = [randomSeq(rng, 5, 4), randomSeq(rng, 6, 3)];
    return {
      sequences: [...chosen, ...rejected, ...variants], pairs: B,
      pref: [{ row: 6, label: 2 }, { row: 1, label: 0 }], dispref: [{ row: 7, label: 3 }],
      refLogps: { chosen: [-20, -25, -30], rejected: [-22, -21, -35] }, coverage: 0.5,
    };
  }
  const settings = (gamma: number): StepSettings => ({
    loss: 'sigmoid', lossOptions: { beta: 0.1, labelSmoothing: 0, simpoGamma: 0.5, orpoLambda: 0.1 }, gamma, pooling: 'mean', padId: 0,
  });
  const params = (m: CausalLM) => new Map([...m.weights.values()].map((v) => [v.name.replace(/^[^/]+\//, ''), v]));
  const adam = () => new AdamW(tf, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, maxGradNorm: 1 });

  it('gives the same loss values and the same parameter updates as the plain alignment step', () => {
    const input = batch();
    const a = createGpt2(tf, CONFIG, 5, { namePrefix: 'g0a' });
    const b = createGpt2(tf, CONFIG, 5, { namePrefix: 'g0b' });
    const heads = createSpoHeads(tf, 16, 4, 1, 'g0heads');
    const optA = adam();
    const optB = adam();
    for (let step = 1; step <= 3; step++) {
      // Trainer path, γ = 0, with SPO rows and heads present.
      let collect: (() => Record<string, number>) | null = null;
      const ga = tf.variableGrads(() => {
        const r = stepLoss(tf, a, heads, input, settings(0));
        collect = r.collect;
        return r.loss;
      }, [...a.weights.values()]);
      const la = ga.value.dataSync()[0];
      const metrics = collect!(); // reads and disposes the step's kept tensors, the loss included
      // Plain path: forward, log-probs, DPO loss.
      const gb = tf.variableGrads(() => {
        const t = batchTensors(tf, padBatch(input.sequences.slice(0, 6), 0));
        const lp = responseLogProbs(tf, b.forward(t.ids).logits, t.ids, t.responseMask);
        const sl = (x: tfjs.Tensor1D, from: number) => tf.slice(x, [from], [3]) as tfjs.Tensor1D;
        return alignmentLoss(tf, 'sigmoid', {
          chosen: sl(lp.sum, 0), rejected: sl(lp.sum, 3), chosenTokens: tf.maximum(sl(lp.count, 0), 1) as tfjs.Tensor1D, rejectedTokens: tf.maximum(sl(lp.count, 3), 1) as tfjs.Tensor1D,
        }, { chosen: tf.tensor1d(input.refLogps!.chosen), rejected: tf.tensor1d(input.refLogps!.rejected) }, settings(0).lossOptions).loss;
      }, [...b.weights.values()]);
      const lb = gb.value.dataSync()[0];
      assert.equal(la, lb, `step ${step}: loss`);
      assert.equal(metrics.loss, lb);
      assert.equal(metrics['loss/align'], lb);
      const strip = (g: Record<string, tfjs.Tensor>) => new Map(Object.entries(g).map(([k, v]) => [k.replace(/^[^/]+\//, ''), v]));
      optA.apply(params(a), strip(ga.grads), 1e-2);
      optB.apply(params(b), strip(gb.grads), 1e-2);
      tf.dispose([ga.value, gb.value, ...Object.values(ga.grads), ...Object.values(gb.grads)]);
      for (const [name, va] of params(a)) {
        assert.deepEqual(va.dataSync(), params(b).get(name)!.dataSync(), `step ${step}: ${name} updated identically`);
      }
    }
    // And with γ > 0 the SPO term is really added: L = L_align + γ·(CE_pref + CE_dispref).
    let m: Record<string, number> = {};
    tf.tidy(() => { m = stepLoss(tf, a, heads, input, settings(0.5)).collect(); });
    assert.ok(m['loss/spo_pref'] > 0 && m['loss/spo_dispref'] > 0);
    assert.ok(Math.abs(m.loss - (m['loss/align'] + 0.5 * (m['loss/spo_pref'] + m['loss/spo_dispref']))) < 1e-5);
    assert.equal(m['spo/coverage'], 0.5);
    a.dispose(); b.dispose(); optA.dispose(); optB.dispose();
  });
});
