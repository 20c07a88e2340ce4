// The TF.js memory estimate against a measurement (tf.profile's peak bytes of a forward + backward on
// wasm), and the refusal it gives for SmolLM2-135M's shape instead of wasm's Aborted().
import { test } from 'node:test';
import * as os from 'os';
import assert from 'node:assert/strict';
import { loadTf, createCausalLM, responseLogProbs, CausalLMConfig } from '../../../src/core/model';
import { estimateTrainingMemory, parameterCount, trainActivationBytes, trainingRefusal, describeScoringMemory, WASM_HEAP_BYTES } from '../../../src/core/model/memory';

const SMOLLM2_135M: CausalLMConfig = {
  architecture: 'llama', vocabSize: 49152, contextLength: 8192, dModel: 576, nLayers: 30, nHeads: 9, nKvHeads: 3,
  dFf: 1536, tieWordEmbeddings: true, normEps: 1e-5, ropeTheta: 100000,
};

test('parameterCount matches the variables a model is made of', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  for (const architecture of ['llama', 'gpt2'] as const) {
    const c: CausalLMConfig = { ...SMOLLM2_135M, architecture, vocabSize: 50, contextLength: 16, dModel: 12, nLayers: 2, nHeads: 3, nKvHeads: architecture === 'gpt2' ? 3 : 1, dFf: 20, tieWordEmbeddings: architecture === 'gpt2' };
    const model = createCausalLM(tf, c, 1);
    assert.equal(parameterCount(c), [...model.weights.values()].reduce((a, w) => a + w.size, 0), architecture);
    model.dispose();
  }
  assert.equal(parameterCount(SMOLLM2_135M), 134515008); // HF's SmolLM2-135M count (tied embeddings)
});

test('the training estimate bounds the measured peak of a forward + backward on wasm, within 1.6×', async () => {
  const { tf } = await loadTf({ backend: 'wasm' });
  const c: CausalLMConfig = { ...SMOLLM2_135M, vocabSize: 3000, contextLength: 128, dModel: 96, nLayers: 3, nHeads: 6, nKvHeads: 2, dFf: 192 };
  const [B, T] = [3, 96];
  const model = createCausalLM(tf, c, 1);
  const ids = tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i * 7) % c.vocabSize), [B, T], 'int32');
  const mask = tf.ones([B, T]) as never;
  const before = tf.memory().numBytes;
  const prof = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.sum(responseLogProbs(tf, model.forward(ids).logits, ids, mask).sum)) as never);
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
  });
  const measured = prof.peakBytes - before;
  const estimate = trainActivationBytes(c, B * T, T) + 4 * parameterCount(c); // + one gradient per weight
  assert.ok(estimate >= measured && estimate <= 1.6 * measured, `estimate ${estimate} vs measured ${measured}`);
  model.dispose();
});

test('SmolLM2-135M: training on wasm is refused with numbers; scoring fits', () => {
  const shape = { batchSize: 2, maxLength: 256, spo: true, reference: true };
  const m = estimateTrainingMemory(SMOLLM2_135M, shape);
  assert.ok(m.totalBytes > WASM_HEAP_BYTES);
  const refusal = trainingRefusal(SMOLLM2_135M, shape, 'wasm');
  assert.match(refusal ?? '', /^cannot train on the wasm backend: the estimate is [\d.]+ GiB .* 134\.5M parameters, batch 2, max_length 256, SPO variant rows, over the 4\.00 GiB heap\./);
  assert.match(refusal ?? '', /At batch 1 the longest max_length that fits is about \d+|Not even batch 1/);
  // RAM-bound backends are bounded by the machine's memory, and their refusal says so.
  const native = trainingRefusal(SMOLLM2_135M, shape, 'tensorflow');
  assert.equal(native === undefined, m.totalBytes <= os.totalmem());
  const hostile = trainingRefusal({ ...SMOLLM2_135M, vocabSize: 3e7 }, shape, 'tensorflow');
  assert.match(hostile ?? '', /^cannot train on the tensorflow backend: .* over the machine's [\d.]+ GiB of memory\./);
  assert.doesNotMatch(hostile ?? '', /native backend/);
  assert.equal(describeScoringMemory(SMOLLM2_135M, 'wasm').refusal, undefined);
  const big = { ...SMOLLM2_135M, dModel: 2048, nHeads: 32, nKvHeads: 32, dFf: 8192, nLayers: 24 };
  assert.match(describeScoringMemory(big, 'wasm').refusal ?? '', /cannot score on the wasm backend: \d+\.\dM parameters/);
});
