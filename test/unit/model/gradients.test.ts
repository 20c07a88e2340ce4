// Gradients through the embedding, matMuls and the whole model are available on wasm (which lacks
// UnsortedSegmentSum) and equal the pure-JS cpu backend's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as tfjs from '@tensorflow/tfjs';
import { loadTf, createCausalLM, embed, mm, sequenceLogProbs, CausalLMConfig, TF } from '../../../src/core/model';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const CONFIGS: CausalLMConfig[] = [
  { architecture: 'gpt2', vocabSize: 64, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 4, nKvHeads: 4, dFf: 64, tieWordEmbeddings: true, normEps: 1e-5 },
  { architecture: 'llama', vocabSize: 64, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 4, nKvHeads: 2, dFf: 40, tieWordEmbeddings: false, normEps: 1e-6, ropeTheta: 10000 },
];

/** Gradient of a response log-prob loss w.r.t. every weight, read to host arrays. */
function modelGrads(tf: TF, config: CausalLMConfig): Map<string, Float32Array> {
  const model = createCausalLM(tf, config, 7);
  const ids = tf.tensor2d([[1, 5, 5, 9, 63, 2, 0], [4, 4, 4, 8, 1, 0, 0]], undefined, 'int32');
  const mask = tf.tensor2d([[0, 0, 1, 1, 1, 1, 0], [0, 1, 1, 1, 1, 0, 0]]);
  const names = [...model.weights.keys()];
  const { value, grads } = tf.variableGrads(
    () => tf.neg(tf.sum(sequenceLogProbs(tf, model.forward(ids).logits, ids, mask))) as tfjs.Scalar,
    [...model.weights.values()],
  );
  const out = new Map<string, Float32Array>();
  const byVar = [...model.weights.values()];
  names.forEach((n, i) => out.set(n, grads[byVar[i].name].dataSync() as Float32Array));
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  ids.dispose();
  mask.dispose();
  model.dispose();
  return out;
}

test('whole-model gradients on wasm equal cpu within 1e-5 (embedding and matMul included)', async () => {
  const { tf } = await loadTf({ backend: 'wasm' });
  const wasm = CONFIGS.map((c) => modelGrads(tf, c));
  await loadTf({ backend: 'cpu' });
  const cpu = CONFIGS.map((c) => modelGrads(tf, c));
  CONFIGS.forEach((c, k) => {
    for (const [name, g] of cpu[k]) {
      assert.ok(wasm[k].has(name), `${c.architecture}: no wasm gradient for ${name}`);
      assert.ok(maxAbsDiff(g, wasm[k].get(name)!) < 1e-5, `${c.architecture}: ${name} differs by ${maxAbsDiff(g, wasm[k].get(name)!)}`);
    }
    const embedName = c.architecture === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
    assert.ok(cpu[k].get(embedName)!.some((v) => v !== 0), 'embedding gradient is all zero');
  });
});

test('embed (scatterND gradient), mm and the builtin gather gradient agree across backends', async () => {
  const results: Record<string, Float32Array[]> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    const { tf } = await loadTf({ backend });
    results[backend] = tf.tidy(() => {
      const table = tf.randomNormal([10, 4], 0, 1, 'float32', 1);
      const w = tf.randomNormal([4, 3], 0, 1, 'float32', 2);
      const ids = tf.tensor2d([[1, 3, 3], [7, 0, 3]], undefined, 'int32');
      const f = (t: tfjs.Tensor, ww: tfjs.Tensor): tfjs.Scalar => tf.sum(tf.square(mm(tf, embed(tf, t, ids).reshape([6, 4]), ww)));
      const [gTable, gW] = tf.grads(f as (...a: tfjs.Tensor[]) => tfjs.Tensor)([table, w]);
      // The builtin gather gradient needs UnsortedSegmentSum, which loadTf registers for wasm.
      const gGather = tf.grad((t: tfjs.Tensor) => tf.sum(tf.square(tf.gather(t, ids))))(table);
      // Reference for embed: the builtin gradient of the same loss.
      const gBuiltin = tf.grad((t: tfjs.Tensor) => tf.sum(tf.square(tf.matMul(tf.gather(t, ids).reshape([6, 4]), w))))(table);
      return [gTable, gW, gGather, gBuiltin].map((g) => g.dataSync() as Float32Array);
    });
  }
  const [cpu, wasm] = [results.cpu, results.wasm];
  for (let i = 0; i < cpu.length; i++) assert.ok(maxAbsDiff(cpu[i], wasm[i]) < 1e-5, `gradient ${i} differs`);
  assert.ok(maxAbsDiff(cpu[0], cpu[3]) < 1e-5, 'embed gradient differs from the builtin gather gradient');
  // Row 3 appears three times, row 5 never: scatterND must sum duplicates and leave others at zero.
  assert.ok(cpu[0].slice(20, 24).every((v) => v === 0));
  assert.ok(cpu[0].slice(12, 16).some((v) => v !== 0));
});
