// Pair encoding and truncation, padded batches, response log-probs (vs a direct JS computation)
// and pooled response hiddens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  loadTf, encodePair, padBatch, batchTensors, responseLogProbs, pooledResponseHidden, createCausalLM,
  scoreEncoded, TextTokenizer, CausalLMConfig,
} from '../../../src/core/model';

/** One token per character (code unit), so expected ids and lengths are obvious; no EOS unless given. */
function charTokenizer(addsBos: boolean, eosTokenId?: number): TextTokenizer {
  return {
    vocabSize: 128, eosTokenId, bosTokenId: 2, addsBos,
    encode: (t) => [...t].map((c) => c.charCodeAt(0) % 128),
    encodeWithOffsets: (t) => ({ ids: [...t].map((c) => c.charCodeAt(0) % 128), offsets: [...t].map((_, i) => [i, i + 1] as [number, number]) }),
    decode: (ids) => String.fromCharCode(...ids),
    toJSON: () => ({}),
  };
}

test('encodePair concatenates prompt and response and marks the response', () => {
  const e = encodePair(charTokenizer(false), 'abc', 'xy', 10);
  assert.deepEqual(e.ids, [97, 98, 99, 120, 121]);
  assert.equal(e.responseStart, 3);
  assert.equal(e.responseEnd, 5);
  assert.deepEqual(e.truncated, { prompt: 0, response: 0 });
  const withBos = encodePair(charTokenizer(true), 'abc', 'xy', 10);
  assert.deepEqual(withBos.ids, [2, 97, 98, 99, 120, 121]);
  assert.equal(withBos.responseStart, 4);
});

test('truncation drops the prompt from the left first, then the response from the right', () => {
  const tk = charTokenizer(false);
  const a = encodePair(tk, 'abcdef', 'xyz', 7);
  assert.deepEqual(a.ids, [99, 100, 101, 102, 120, 121, 122]);
  assert.deepEqual(a.truncated, { prompt: 2, response: 0 });
  // The prompt keeps its last token so the first response token is still predicted from something.
  const b = encodePair(tk, 'abcdef', 'uvwxyz', 4);
  assert.deepEqual(b.ids, [102, 117, 118, 119]);
  assert.deepEqual(b.truncated, { prompt: 5, response: 3 });
  assert.equal(b.responseStart, 1);
  const c = encodePair(charTokenizer(true), 'abcdef', 'xyz', 5);
  assert.deepEqual(c.ids, [2, 102, 120, 121, 122], 'BOS survives prompt truncation');
  assert.deepEqual(c.truncated, { prompt: 5, response: 0 });
  assert.throws(() => encodePair(tk, 'a', 'b', 1), /maxLen must be at least 2/);
});

test('encodePair tokenizes as TRL: prompt, prompt + response split where they diverge, then EOS', () => {
  const e = encodePair(charTokenizer(false, 1), 'abc', 'xy', 10);
  assert.deepEqual(e.ids, [97, 98, 99, 120, 121, 1]);
  assert.deepEqual([e.responseStart, e.responseEnd], [3, 6]);
  // Truncation cuts the response from the right, EOS first.
  assert.deepEqual(encodePair(charTokenizer(false, 1), 'abc', 'xyz', 6).ids, [98, 99, 120, 121, 122, 1]);
  assert.deepEqual(encodePair(charTokenizer(false, 1), 'a', 'xyz', 3).ids, [97, 120, 121]);
  // A response that already ends with EOS gets no second one.
  const withEos: TextTokenizer = { ...charTokenizer(false, 1), encode: (t) => [...t].map((c) => (c === '$' ? 1 : c.charCodeAt(0) % 128)) };
  assert.deepEqual(encodePair(withEos, 'a', 'b$', 10).ids, [97, 98, 1]);
  // '::' is one token: tokenized together, the prompt's last ':' belongs to the response, as in TRL.
  const merging: TextTokenizer = {
    ...charTokenizer(false, 1),
    encode: (t) => t.split(/(::)/).filter(Boolean).flatMap((part) => (part === '::' ? [99] : [...part].map((c) => c.charCodeAt(0) % 128))),
  };
  const m = encodePair(merging, 'a:', ':b', 10);
  assert.deepEqual(m.ids, [97, 99, 98, 1]);
  assert.equal(m.responseStart, 1);
});

test('padBatch right-pads and builds the response mask', () => {
  const tk = charTokenizer(false);
  const batch = padBatch([encodePair(tk, 'ab', 'c', 10), encodePair(tk, 'a', 'bcd', 10)], 0);
  assert.equal(batch.length, 4);
  assert.deepEqual(Array.from(batch.ids), [97, 98, 99, 0, 97, 98, 99, 100]);
  assert.deepEqual(Array.from(batch.responseMask), [0, 0, 1, 0, 0, 1, 1, 1]);
});

test('response log-probs equal a direct log-softmax computation; pooling picks the right rows', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  const config: CausalLMConfig = { architecture: 'gpt2', vocabSize: 128, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 4, nKvHeads: 4, dFf: 64, tieWordEmbeddings: true, normEps: 1e-5 };
  const model = createCausalLM(tf, config, 3);
  const tk = charTokenizer(false);
  const items = [encodePair(tk, 'hi ', 'there', 16), encodePair(tk, 'q', 'ab', 16)];
  const batch = padBatch(items, 0);
  tf.tidy(() => {
    const { ids, responseMask } = batchTensors(tf, batch);
    const { logits, hidden } = model.forward(ids);
    const lp = responseLogProbs(tf, logits, ids, responseMask);
    const L = logits.arraySync();
    const sums = items.map((e, b) => {
      let s = 0;
      for (let t = e.responseStart; t < e.responseEnd; t++) {
        const row = L[b][t - 1];
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((acc, v) => acc + Math.exp(v - max), 0));
        s += row[e.ids[t]] - lse;
      }
      return s;
    });
    const got = lp.sum.dataSync();
    sums.forEach((s, b) => assert.ok(Math.abs(got[b] - s) < 1e-4, `row ${b}: ${got[b]} vs ${s}`));
    assert.deepEqual(Array.from(lp.count.dataSync()), [5, 2]);
    const mean = lp.mean.dataSync();
    assert.ok(Math.abs(mean[0] - sums[0] / 5) < 1e-5 && Math.abs(mean[1] - sums[1] / 2) < 1e-5);

    const H = hidden.arraySync();
    const last = pooledResponseHidden(tf, hidden, responseMask, 'last').arraySync();
    assert.deepEqual(last[0], H[0][7]);
    assert.deepEqual(last[1], H[1][2]);
    const meanPooled = pooledResponseHidden(tf, hidden, responseMask, 'mean').arraySync();
    const want = H[1][1].map((v, d) => (v + H[1][2][d]) / 2);
    meanPooled[1].forEach((v, d) => assert.ok(Math.abs(v - want[d]) < 1e-6));

    // Padding never changes a row's score (causal model, right padding).
    const alone = scoreEncoded(tf, model, [items[1]], 1, 0);
    assert.ok(Math.abs(alone.sum[0] - got[1]) < 1e-5);
  });
  model.dispose();
});

test('chunked scoring (vocabulary pieces, token-bounded micro-batches) equals full-logit log-probs', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  const config: CausalLMConfig = {
    architecture: 'llama', vocabSize: 128, contextLength: 32, dModel: 16, nLayers: 2, nHeads: 4, nKvHeads: 2,
    dFf: 32, tieWordEmbeddings: true, normEps: 1e-5, ropeTheta: 10000,
  };
  const model = createCausalLM(tf, config, 5);
  const tok = charTokenizer(true);
  const items = [['hello ', 'world'], ['a', 'bcdefghij'], ['prompt only, long ', 'x'], ['q', 'rstuvw']]
    .map(([p, r]) => encodePair(tok, p, r, 32));
  const full = tf.tidy(() => items.map((e) => {
    const { ids, responseMask } = batchTensors(tf, padBatch([e], 0));
    return responseLogProbs(tf, model.forward(ids).logits, ids, responseMask).sum.dataSync()[0];
  }));
  // 128 columns in pieces of 48 (an uneven last piece), and at most 24 tokens per forward pass.
  const chunked = scoreEncoded(tf, model, items, { batchSize: 3, padId: 0, batchTokens: 24, vocabChunk: 48 });
  full.forEach((want, i) => assert.ok(Math.abs(chunked.sum[i] - want) < 1e-4 * Math.abs(want), `item ${i}: ${chunked.sum[i]} vs ${want}`));
  model.dispose();
});
