// The two SPO classifier heads (spo-method.md §3): `pref` for chosen variants, `dispref` for rejected
// ones; each a linear d_model → K on the pooled final hidden states over the response tokens.
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/types';

export type HeadName = 'pref' | 'dispref';
export const HEAD_NAMES: readonly HeadName[] = ['pref', 'dispref'];

export interface SpoHeads {
  readonly classes: number;
  readonly dModel: number;
  /** `pref.weight` [D, K], `pref.bias` [K], `dispref.weight`, `dispref.bias`. */
  readonly weights: Map<string, tfjs.Variable>;
}

/** Fresh heads: small normal weights (seeded), zero bias. Variable names are prefixed (they are global in TF.js). */
export function createSpoHeads(tf: TF, dModel: number, classes: number, seed: number, namePrefix = 'spo_heads'): SpoHeads {
  const weights = new Map<string, tfjs.Variable>();
  HEAD_NAMES.forEach((head, i) => {
    weights.set(`${head}.weight`, tf.variable(tf.randomNormal([dModel, classes], 0, 0.02, 'float32', seed * 7919 + i), true, `${namePrefix}/${head}.weight`));
    weights.set(`${head}.bias`, tf.variable(tf.zeros([classes]), true, `${namePrefix}/${head}.bias`));
  });
  return { classes, dModel, weights };
}

/** Heads from saved tensors (checkpoint `spo_heads.safetensors`). */
export function spoHeadsFromTensors(
  tf: TF,
  tensors: Map<string, { shape: number[]; data: Float32Array }>,
  source: string,
  namePrefix = 'spo_heads',
): SpoHeads {
  const w = tensors.get('pref.weight');
  if (!w || w.shape.length !== 2) throw new Error(`${source}: missing 2-D tensor 'pref.weight'`);
  const [dModel, classes] = w.shape;
  const weights = new Map<string, tfjs.Variable>();
  for (const head of HEAD_NAMES) {
    for (const [part, shape] of [['weight', [dModel, classes]], ['bias', [classes]]] as const) {
      const name = `${head}.${part}`;
      const t = tensors.get(name);
      if (!t || t.shape.join(',') !== shape.join(',')) throw new Error(`${source}: tensor '${name}' missing or not of shape [${shape.join(', ')}]`);
      weights.set(name, tf.variable(tf.tensor(t.data, [...shape], 'float32'), true, `${namePrefix}/${name}`));
    }
  }
  return { classes, dModel, weights };
}

export function disposeSpoHeads(heads: SpoHeads): void {
  for (const v of heads.weights.values()) v.dispose();
  heads.weights.clear();
}

/** Class logits [N, K] of one head. */
export function headLogits(tf: TF, heads: SpoHeads, head: HeadName, pooled: tfjs.Tensor2D): tfjs.Tensor2D {
  return tf.add(tf.matMul(pooled, heads.weights.get(`${head}.weight`)!), heads.weights.get(`${head}.bias`)!) as tfjs.Tensor2D;
}

/** Mean cross-entropy over rows, labels int32 [N]. */
export function headCrossEntropy(tf: TF, logits: tfjs.Tensor2D, labels: tfjs.Tensor1D): tfjs.Scalar {
  const K = logits.shape[1];
  const logp = tf.logSoftmax(logits);
  // Cast rather than oneHot(..., 'float32'): wasm's OneHot ignores the dtype and writes int32 bits.
  const target = tf.cast(tf.oneHot(labels, K), 'float32');
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, target), 1))) as tfjs.Scalar;
}
