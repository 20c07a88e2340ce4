// Per-example preference degrees (spo-method.md §6) after a run: the model degree (implicit reward
// margin and σ of it), the SPO degree (each head's class distribution and E[c]) and the data degree.
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, TF } from '../model/types';
import type { PreferencePair } from '../data/types';
import type { KeySpan } from '../keys/types';
import { dataDegree } from '../keys';
import type { DegreeRecord, HeadDegree } from '../protocol';
import { EncodedPair, batchTensors, padBatch, pooledResponseHidden, responseLogProbs } from '../model/logprobs';
import type { AlignLoss, Pooling } from './config';
import { averagesLogps, usesReference } from './losses';
import { SpoHeads, headLogits } from './spoHeads';

export interface DegreeInputs {
  pairs: readonly PreferencePair[];
  encoded: ReadonlyArray<{ chosen: EncodedPair; rejected: EncodedPair }>;
  keys: ReadonlyArray<{ chosen: KeySpan[]; rejected: KeySpan[] }>;
  evalSet: ReadonlySet<number>;
  /** Reference sums per pair (null for reference-free losses). */
  refLogps: ((indices: number[]) => { chosen: number[]; rejected: number[] }) | null;
  loss: AlignLoss;
  beta: number;
  pooling: Pooling;
  padId: number;
  batchSize: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function softmaxRows(values: Float32Array | Int32Array | Uint8Array, K: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < values.length / K; i++) {
    const row = Array.from(values.slice(i * K, (i + 1) * K));
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const z = exps.reduce((a, b) => a + b, 0);
    rows.push(exps.map((e) => e / z));
  }
  return rows;
}

function headDegree(probs: number[]): HeadDegree {
  return { probs, expected: probs.reduce((a, p, c) => a + c * p, 0) };
}

/**
 * Compute every pair's degrees with the trained policy (and heads, when SPO was on). Yields to the
 * event loop between batches; returns null when `shouldStop` asks to stop.
 */
export async function computeDegrees(
  tf: TF,
  policy: CausalLM,
  heads: SpoHeads | null,
  d: DegreeInputs,
  onProgress?: (done: number, total: number) => void,
  shouldStop?: () => boolean,
): Promise<DegreeRecord[] | null> {
  const out: DegreeRecord[] = [];
  const n = d.pairs.length;
  for (let start = 0; start < n; start += d.batchSize) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (shouldStop?.()) return null;
    const idx = Array.from({ length: Math.min(d.batchSize, n - start) }, (_, i) => start + i);
    const B = idx.length;
    const seqs = [...idx.map((i) => d.encoded[i].chosen), ...idx.map((i) => d.encoded[i].rejected)];
    const tensors = tf.tidy(() => {
      const batch = batchTensors(tf, padBatch(seqs, d.padId));
      const { logits, hidden } = policy.forward(batch.ids);
      const lp = responseLogProbs(tf, logits, batch.ids, batch.responseMask);
      const result: tfjs.Tensor[] = [averagesLogps(d.loss) ? lp.mean : lp.sum, lp.count];
      if (heads) {
        const pooled = pooledResponseHidden(tf, hidden, batch.responseMask, d.pooling);
        result.push(headLogits(tf, heads, 'pref', tf.slice(pooled, [0, 0], [B, -1]) as tfjs.Tensor2D));
        result.push(headLogits(tf, heads, 'dispref', tf.slice(pooled, [B, 0], [B, -1]) as tfjs.Tensor2D));
      }
      return result;
    });
    const [lpArr, countArr, prefArr, disprefArr] = tensors.map((t) => t.dataSync() as Float32Array);
    tf.dispose(tensors);
    let ref: { chosen: number[]; rejected: number[] } | null = null;
    if (usesReference(d.loss)) {
      if (!d.refLogps) throw new Error(`computeDegrees: loss '${d.loss}' needs reference log-probs`);
      ref = d.refLogps(idx);
      if (averagesLogps(d.loss)) {
        ref = {
          chosen: ref.chosen.map((v, j) => v / Math.max(1, countArr[j])),
          rejected: ref.rejected.map((v, j) => v / Math.max(1, countArr[B + j])),
        };
      }
    }
    const pref = heads ? softmaxRows(prefArr, heads.classes) : null;
    const dispref = heads ? softmaxRows(disprefArr, heads.classes) : null;
    idx.forEach((i, j) => {
      const pair = d.pairs[i];
      const cr = d.beta * (lpArr[j] - (ref ? ref.chosen[j] : 0));
      const rr = d.beta * (lpArr[B + j] - (ref ? ref.rejected[j] : 0));
      const dd = dataDegree(d.keys[i].chosen, d.keys[i].rejected, pair.chosen.text, pair.rejected.text);
      out.push({
        index: pair.index,
        line: pair.line,
        split: d.evalSet.has(i) ? 'eval' : 'train',
        model: { margin: cr - rr, probability: sigmoid(cr - rr), chosenReward: cr, rejectedReward: rr },
        spo: pref && dispref ? { pref: headDegree(pref[j]), dispref: headDegree(dispref[j]) } : null,
        data: { degree: dd.data, chosenOnly: dd.chosenOnly, rejectedOnly: dd.rejectedOnly },
      });
    });
    onProgress?.(Math.min(n, start + B), n);
  }
  return out;
}
