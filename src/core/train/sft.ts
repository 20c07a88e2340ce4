// The supervised phase of the tiny preset: next-token loss on prompt + chosen, so the model that
// becomes the DPO reference already speaks the dataset's language.
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, TF } from '../model/types';
import { EncodedPair, batchTensors, padBatch, responseLogProbs } from '../model/logprobs';
import { SeededRandom } from '../random';
import { AdamW, learningRateAt } from './optim';

export interface SftOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  padId: number;
  seed: number;
  maxGradNorm: number;
  /** Called after each step with its loss (for progress and logs). */
  onStep?: (step: number, loss: number, tokens: number) => void;
  shouldStop?: () => boolean;
}

/** Mean next-token NLL over every token of each sequence (prompt included). */
export function lmLoss(tf: TF, model: CausalLM, seqs: readonly EncodedPair[], padId: number): tfjs.Scalar {
  const whole = seqs.map((e) => ({ ...e, responseStart: 0 }));
  const batch = batchTensors(tf, padBatch(whole, padId));
  const { logits } = model.forward(batch.ids);
  const { sum, count } = responseLogProbs(tf, logits, batch.ids, batch.responseMask);
  return tf.neg(tf.div(tf.sum(sum), tf.maximum(tf.sum(count), 1))) as tfjs.Scalar;
}

/** Train `model` in place on the sequences; returns the last loss. */
export async function runSft(tf: TF, model: CausalLM, seqs: readonly EncodedPair[], o: SftOptions): Promise<number> {
  const rng = new SeededRandom(o.seed);
  const opt = new AdamW(tf, { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.01, maxGradNorm: o.maxGradNorm });
  const params = new Map<string, tfjs.Variable>([...model.weights.values()].map((v) => [v.name, v]));
  const vars = [...params.values()];
  let order = rng.shuffled(seqs.map((_, i) => i));
  let pos = 0;
  let last = NaN;
  const schedule = { maxLr: o.learningRate, minLr: o.learningRate / 10, warmupSteps: o.warmupSteps, totalSteps: o.steps };
  for (let step = 1; step <= o.steps; step++) {
    await new Promise<void>((resolve) => setImmediate(resolve)); // let a stop request arrive
    if (o.shouldStop?.()) break;
    const batch: EncodedPair[] = [];
    while (batch.length < o.batchSize) {
      if (pos >= order.length) { order = rng.shuffled(order); pos = 0; }
      batch.push(seqs[order[pos++]]);
    }
    const { value, grads } = tf.variableGrads(() => lmLoss(tf, model, batch, o.padId), vars);
    last = value.dataSync()[0];
    value.dispose();
    if (!Number.isFinite(last)) {
      tf.dispose(Object.values(grads));
      throw new Error(`SFT loss became ${last} at step ${step}`);
    }
    opt.apply(params, new Map(Object.entries(grads)), learningRateAt(step, schedule));
    tf.dispose(Object.values(grads));
    o.onStep?.(step, last, batch.reduce((n, e) => n + e.ids.length, 0));
  }
  opt.dispose();
  return last;
}
