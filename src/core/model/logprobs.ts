// Log-probabilities of a response given its prompt: pair encoding with a truncation policy,
// right-padded batches with a response mask, masked sums/means of token log-probs, pooled hiddens.
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, TF, TextTokenizer } from './types';

export interface EncodedPair {
  /** Prompt tokens (BOS first when the tokenizer's post-processor adds one) then response tokens. */
  ids: number[];
  /** ids[responseStart, responseEnd) are the response tokens; responseEnd === ids.length. */
  responseStart: number;
  responseEnd: number;
  /** Tokens dropped: from the prompt's left, then from the response's right. */
  truncated: { prompt: number; response: number };
}

/**
 * TRL DPOTrainer's tokenization of a plain-text pair (docs/engine-contract.md, "Step-1 parity"):
 * tokenize(prompt) and tokenize(prompt + response), the response being the tokens after their common
 * prefix, followed by EOS when the tokenizer has one (TRL's add_eos), so the model is also scored on
 * ending the response. BOS comes first only when the tokenizer adds one. Truncation to maxLen: drop
 * prompt tokens from the left first (keeping the BOS, or the last prompt token, so the first response
 * token still has context and gets scored), then cut the response from the right (EOS first).
 */
export function encodePair(tokenizer: TextTokenizer, prompt: string, response: string, maxLen: number): EncodedPair {
  const hasBos = Boolean(tokenizer.addsBos && tokenizer.bosTokenId !== undefined);
  const bos = hasBos ? [tokenizer.bosTokenId!] : [];
  const promptIds = [...bos, ...tokenizer.encode(prompt)];
  const fullIds = [...bos, ...tokenizer.encode(prompt + response)];
  const n = commonPrefixLength(promptIds, fullIds);
  const responseIds = fullIds.slice(n);
  const eos = tokenizer.eosTokenId;
  if (eos !== undefined && responseIds[responseIds.length - 1] !== eos) responseIds.push(eos);
  return truncatePair(promptIds.slice(0, n), responseIds, maxLen, hasBos);
}

/** How many leading ids two sequences share: where a prompt's tokens end inside prompt + response. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** Prompt then response ids, cut to maxLen by encodePair's policy; `keepBos` keeps the prompt's first token. */
export function truncatePair(promptTokens: readonly number[], responseTokens: readonly number[], maxLen: number, keepBos: boolean): EncodedPair {
  if (!(maxLen >= 2)) throw new Error(`encodePair: maxLen must be at least 2 (got ${maxLen})`);
  let promptIds = promptTokens.slice();
  let responseIds = responseTokens.slice();
  const bos = keepBos ? promptIds.slice(0, 1) : [];
  const truncated = { prompt: 0, response: 0 };
  let excess = promptIds.length + responseIds.length - maxLen;
  if (excess > 0) {
    const keep = Math.min(promptIds.length, 1);
    const drop = Math.min(excess, promptIds.length - keep);
    if (drop > 0) {
      // Keep a leading BOS: drop the tokens right after it.
      promptIds = bos.length ? [...bos, ...promptIds.slice(1 + drop)] : promptIds.slice(drop);
      truncated.prompt = drop;
      excess -= drop;
    }
  }
  if (excess > 0) {
    responseIds = responseIds.slice(0, responseIds.length - excess);
    truncated.response = excess;
  }
  return {
    ids: [...promptIds, ...responseIds],
    responseStart: promptIds.length,
    responseEnd: promptIds.length + responseIds.length,
    truncated,
  };
}

export interface PaddedBatch {
  /** Row-major [batch, length] token ids, right-padded with padId. */
  ids: Int32Array;
  /** 1 at response-token positions, else 0; same layout as ids. */
  responseMask: Float32Array;
  batch: number;
  length: number;
}

/** Right-pad encoded sequences to the longest (or `length`) and mark their response tokens. */
export function padBatch(items: readonly EncodedPair[], padId: number, length?: number): PaddedBatch {
  const T = length ?? Math.max(2, ...items.map((e) => e.ids.length));
  const B = items.length;
  const ids = new Int32Array(B * T).fill(padId);
  const responseMask = new Float32Array(B * T);
  items.forEach((e, b) => {
    if (e.ids.length > T) throw new Error(`padBatch: sequence of ${e.ids.length} tokens exceeds length ${T}`);
    ids.set(e.ids, b * T);
    for (let t = e.responseStart; t < e.responseEnd; t++) responseMask[b * T + t] = 1;
  });
  return { ids, responseMask, batch: B, length: T };
}

export function batchTensors(tf: TF, batch: PaddedBatch): { ids: tfjs.Tensor2D; responseMask: tfjs.Tensor2D } {
  return {
    ids: tf.tensor2d(batch.ids, [batch.batch, batch.length], 'int32'),
    responseMask: tf.tensor2d(batch.responseMask, [batch.batch, batch.length], 'float32'),
  };
}

/** log p(ids[t] | ids[<t]) for t = 1..T-1: [B, T-1]. Position 0 has no prediction. */
export function tokenLogProbs(tf: TF, logits: tfjs.Tensor3D, ids: tfjs.Tensor2D): tfjs.Tensor2D {
  const [B, T, V] = logits.shape;
  const prev = tf.slice(logits, [0, 0, 0], [B, T - 1, V]);
  const next = tf.slice(ids, [0, 1], [B, T - 1]);
  // One-hot pick instead of gather: its gradient needs no scatter kernel on any backend. logSoftmax
  // rather than logits − logSumExp: the latter's gradient is ~3× slower on wasm (measured).
  return tf.sum(tf.mul(tf.logSoftmax(prev), tf.oneHot(next, V)), -1) as tfjs.Tensor2D;
}

/** Sum and per-token mean (SimPO) of response-token log-probs per row: each [B]. */
export function responseLogProbs(
  tf: TF,
  logits: tfjs.Tensor3D,
  ids: tfjs.Tensor2D,
  responseMask: tfjs.Tensor2D,
): { sum: tfjs.Tensor1D; mean: tfjs.Tensor1D; count: tfjs.Tensor1D } {
  const [B, T] = ids.shape;
  const mask = tf.slice(responseMask, [0, 1], [B, T - 1]);
  const sum = tf.sum(tf.mul(tokenLogProbs(tf, logits, ids), mask), -1) as tfjs.Tensor1D;
  const count = tf.sum(mask, -1) as tfjs.Tensor1D;
  const mean = tf.div(sum, tf.maximum(count, 1)) as tfjs.Tensor1D;
  return { sum, mean, count };
}

/** Sum of response-token log-probs per row, [B]. */
export function sequenceLogProbs(tf: TF, logits: tfjs.Tensor3D, ids: tfjs.Tensor2D, responseMask: tfjs.Tensor2D): tfjs.Tensor1D {
  return responseLogProbs(tf, logits, ids, responseMask).sum;
}

/** Response hidden states pooled per row: masked mean, or the last response token. [B, D]. */
export function pooledResponseHidden(tf: TF, hidden: tfjs.Tensor3D, responseMask: tfjs.Tensor2D, mode: 'mean' | 'last'): tfjs.Tensor2D {
  const T = hidden.shape[1];
  const m = responseMask.expandDims(-1);
  if (mode === 'mean') {
    return tf.div(tf.sum(tf.mul(hidden, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tfjs.Tensor2D;
  }
  // Last response position = argmax of mask·(t+1); a one-hot select keeps the gradient simple.
  const positions = tf.add(tf.range(0, T, 1, 'float32'), 1);
  const last = tf.argMax(tf.mul(responseMask, positions), 1);
  const select = tf.oneHot(last, T).expandDims(-1);
  return tf.sum(tf.mul(hidden, select), 1) as tfjs.Tensor2D;
}

export interface ScoredSequences {
  /** Sum of response-token log-probs per input, in input order. */
  sum: Float64Array;
  /** Mean per response token. */
  mean: Float64Array;
}

/** Vocabulary columns per LM-head piece in chunked scoring: 8192 × 512 response tokens is 16 MiB of logits. */
export const SCORE_VOCAB_CHUNK = 8192;
/** Tokens (batch × length, padding included) per scoring forward pass. */
export const SCORE_BATCH_TOKENS = 2048;

/**
 * log p of the given next tokens from hidden states [n, D] and the LM head W [V, D], without the
 * [n, V] logits: log-sum-exp is accumulated over vocabulary pieces of `vocabChunk` columns and the
 * target logit is h · W[target]. No gradient path is intended (scoring).
 */
export function chunkedTokenLogProbs(tf: TF, h: tfjs.Tensor2D, head: tfjs.Tensor2D, targets: tfjs.Tensor1D, vocabChunk = SCORE_VOCAB_CHUNK): tfjs.Tensor1D {
  return tf.tidy(() => {
    const [V, D] = head.shape;
    const target = tf.sum(tf.mul(h, tf.gather(head, targets)), 1);
    let lse: tfjs.Tensor | undefined;
    for (let v0 = 0; v0 < V; v0 += vocabChunk) {
      const piece = tf.slice(head, [v0, 0], [Math.min(vocabChunk, V - v0), D]);
      const part = tf.logSumExp(tf.matMul(h, piece, false, true), 1);
      if (!lse) lse = part;
      else {
        // log(e^a + e^b) = m + log(e^(a-m) + e^(b-m)), m = max(a, b): no overflow.
        const m = tf.maximum(lse, part);
        lse = tf.add(m, tf.log(tf.add(tf.exp(tf.sub(lse, m)), tf.exp(tf.sub(part, m)))));
      }
    }
    return tf.sub(target, lse!) as tfjs.Tensor1D;
  });
}

export interface ScoreOptions {
  /** Most sequences per forward pass. */
  batchSize: number;
  padId: number;
  /** Most tokens (batch × padded length) per forward pass (default SCORE_BATCH_TOKENS). */
  batchTokens?: number;
  vocabChunk?: number;
}

/**
 * Forward encoded sequences through the model in micro-batches (no gradients) and read their
 * log-probs. Micro-batches group sequences of similar length, hold at most `batchTokens` tokens, and
 * take the LM head in vocabulary pieces over the response positions only, so memory stays at one
 * layer's activations plus [response tokens, vocabChunk] logits whatever the vocabulary.
 */
export function scoreEncoded(tf: TF, model: CausalLM, items: readonly EncodedPair[], batchSizeOrOptions: number | ScoreOptions, padId?: number): ScoredSequences {
  const opts: ScoreOptions = typeof batchSizeOrOptions === 'number' ? { batchSize: batchSizeOrOptions, padId: padId ?? 0 } : batchSizeOrOptions;
  const maxRows = Math.max(1, Math.floor(opts.batchSize));
  const maxTokens = Math.max(1, opts.batchTokens ?? SCORE_BATCH_TOKENS);
  const sum = new Float64Array(items.length);
  const mean = new Float64Array(items.length);
  const order = items.map((_, i) => i).sort((a, b) => items[a].ids.length - items[b].ids.length);
  let i = 0;
  while (i < order.length) {
    // Sorted ascending, so the last row of a micro-batch sets its padded length.
    let n = 1;
    while (n < maxRows && i + n < order.length && (n + 1) * Math.max(2, items[order[i + n]].ids.length) <= maxTokens) n++;
    const rows = order.slice(i, i + n);
    i += n;
    const batch = padBatch(rows.map((r) => items[r]), opts.padId);
    const T = batch.length;
    // Response positions t (1 ≤ t) are predicted from hidden row t − 1.
    const from: number[] = [];
    const targets: number[] = [];
    const owner: number[] = [];
    rows.forEach((r, b) => {
      const e = items[r];
      for (let t = Math.max(1, e.responseStart); t < e.responseEnd; t++) {
        from.push(b * T + t - 1);
        targets.push(e.ids[t]);
        owner.push(b);
      }
    });
    const totals = new Float64Array(rows.length);
    const counts = new Float64Array(rows.length);
    if (from.length) {
      const lp = tf.tidy(() => {
        const ids = tf.tensor2d(batch.ids, [batch.batch, T], 'int32');
        const hidden = model.hiddenStates(ids);
        const h = tf.gather(hidden.reshape([batch.batch * T, hidden.shape[2]]), tf.tensor1d(from, 'int32')) as tfjs.Tensor2D;
        return chunkedTokenLogProbs(tf, h, model.outputEmbedding(), tf.tensor1d(targets, 'int32'), opts.vocabChunk);
      });
      const values = lp.dataSync();
      lp.dispose();
      values.forEach((v, k) => {
        totals[owner[k]] += v;
        counts[owner[k]] += 1;
      });
    }
    rows.forEach((r, b) => {
      sum[r] = totals[b];
      mean[r] = totals[b] / Math.max(counts[b], 1);
    });
  }
  return { sum, mean };
}
