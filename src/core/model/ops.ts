// Tensor building blocks shared by the GPT-2 and Llama layouts, written so their gradients are fast
// and available on every backend (wasm has no UnsortedSegmentSum and slow transposed matMuls).
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from './types';

/** Swap the last two axes. */
export function transposeLast(tf: TF, x: tfjs.Tensor): tfjs.Tensor {
  if (x.rank === 2) return tf.transpose(x);
  const perm = [...Array(x.rank - 2).keys(), x.rank - 1, x.rank - 2];
  return tf.transpose(x, perm);
}

/**
 * matMul whose backward pass uses explicit transposes and plain matMuls. The builtin gradient calls
 * matMul with transposeA/B, which is ~10× slower on wasm (2.7× per training step). Inputs: rank 2, or
 * equal-rank batched.
 */
export function mm(tf: TF, a: tfjs.Tensor, b: tfjs.Tensor): tfjs.Tensor {
  const f = tf.customGrad((x, y, save) => {
    const xa = x as tfjs.Tensor;
    const yb = y as tfjs.Tensor;
    (save as tfjs.GradSaveFunc)([xa, yb]);
    return {
      value: tf.matMul(xa, yb),
      gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => [
        tf.matMul(dy, transposeLast(tf, saved[1])),
        tf.matMul(transposeLast(tf, saved[0]), dy),
      ],
    };
  });
  return f(a, b);
}

/** x [..., in] · w [in, out] (+ bias), flattening leading axes for a fast 2-D matMul. */
export function dense(tf: TF, x: tfjs.Tensor, w: tfjs.Tensor, bias?: tfjs.Tensor): tfjs.Tensor {
  const lead = x.shape.slice(0, -1);
  const y = mm(tf, x.reshape([-1, x.shape[x.rank - 1]]), w);
  const out = bias ? tf.add(y, bias) : y;
  return out.reshape([...lead, w.shape[1] as number]);
}

/**
 * Embedding lookup table[ids] whose gradient is a scatterND (sums duplicate ids), so it works on wasm
 * and avoids the very slow UnsortedSegmentSum of the cpu backend.
 */
export function embed(tf: TF, table: tfjs.Tensor, ids: tfjs.Tensor): tfjs.Tensor {
  const [V, D] = table.shape as number[];
  // The ids go in as an input and are saved: a closed-over tensor would be disposed before backprop.
  const f = tf.customGrad((t, idx, save) => {
    (save as tfjs.GradSaveFunc)([idx as tfjs.Tensor]);
    return {
      value: tf.gather(t as tfjs.Tensor, idx as tfjs.Tensor),
      gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => [
        tf.scatterND(saved[0].reshape([-1, 1]), dy.reshape([-1, D]), [V, D]),
        tf.zerosLike(saved[0]),
      ],
    };
  });
  return f(table, ids.reshape([-1])).reshape([...ids.shape, D]);
}

export function layerNorm(tf: TF, x: tfjs.Tensor, gain: tfjs.Tensor, bias: tfjs.Tensor, eps: number): tfjs.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gain), bias);
}

export function rmsNorm(tf: TF, x: tfjs.Tensor, gain: tfjs.Tensor, eps: number): tfjs.Tensor {
  const ms = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), gain);
}

/** GPT-2's `gelu_new`: the tanh approximation (tfjs has no gelu op). */
export function geluNew(tf: TF, x: tfjs.Tensor): tfjs.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  const inner = tf.mul(c, tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** SiLU = x·sigmoid(x). */
export function silu(tf: TF, x: tfjs.Tensor): tfjs.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** [1, 1, T, T] additive bias: 0 where key ≤ query, -1e9 above the diagonal. */
export function causalBias(tf: TF, T: number): tfjs.Tensor {
  return tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9).reshape([1, 1, T, T]);
}

/** Scaled dot-product causal attention; q, k, v: [B, H, T, dh] → [B, H, T, dh]. */
export function causalAttention(tf: TF, q: tfjs.Tensor, k: tfjs.Tensor, v: tfjs.Tensor): tfjs.Tensor {
  const T = q.shape[2] as number;
  const dh = q.shape[3] as number;
  const scores = tf.add(tf.mul(mm(tf, q, transposeLast(tf, k)), 1 / Math.sqrt(dh)), causalBias(tf, T));
  return mm(tf, tf.softmax(scores), v);
}

/** log σ(x) without tf.logSigmoid, whose gradient crashes on intermediate tensors (tfjs 4.22). */
export function logSigmoid(tf: TF, x: tfjs.Tensor): tfjs.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}
