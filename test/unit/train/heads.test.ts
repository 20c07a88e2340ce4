// SPO heads: shapes, pooling over response tokens, and gradients that train the heads.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as tfjs from '@tensorflow/tfjs';
import { loadTf } from '../../../src/core/model/backend';
import type { TF } from '../../../src/core/model/types';
import { pooledResponseHidden } from '../../../src/core/model/logprobs';
import { createSpoHeads, disposeSpoHeads, headCrossEntropy, headLogits } from '../../../src/core/train/spoHeads';

describe('SPO heads', () => {
  let tf: TF;
  // wasm: the backend training runs on (its OneHot kernel once silently broke the CE here).
  before(async () => { tf = (await loadTf({ backend: 'wasm' })).tf; });

  it('map pooled hidden states [N, D] to K class logits per head', () => {
    const heads = createSpoHeads(tf, 16, 5, 1, 'shape_test');
    assert.deepEqual(heads.weights.get('pref.weight')!.shape, [16, 5]);
    assert.deepEqual(heads.weights.get('dispref.bias')!.shape, [5]);
    const hidden = tf.randomNormal([3, 7, 16], 0, 1, 'float32', 3) as tfjs.Tensor3D;
    const mask = tf.tensor2d([[0, 0, 1, 1, 1, 0, 0], [0, 1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0, 0]]) as tfjs.Tensor2D;
    const pooled = pooledResponseHidden(tf, hidden, mask, 'mean');
    assert.deepEqual(pooled.shape, [3, 16]);
    // Row 0's mean is over positions 2..4 only.
    const h = hidden.arraySync() as number[][][];
    const expected = h[0][2].map((_, d) => (h[0][2][d] + h[0][3][d] + h[0][4][d]) / 3);
    (pooled.arraySync() as number[][])[0].forEach((v, d) => assert.ok(Math.abs(v - expected[d]) < 1e-5));
    for (const head of ['pref', 'dispref'] as const) assert.deepEqual(headLogits(tf, heads, head, pooled).shape, [3, 5]);
    disposeSpoHeads(heads);
  });

  it('get finite, non-zero gradients, and gradient steps lower the cross-entropy', () => {
    const heads = createSpoHeads(tf, 8, 4, 2, 'grad_test');
    const x = tf.randomNormal([12, 8], 0, 1, 'float32', 5) as tfjs.Tensor2D;
    const labels = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32');
    const vars = [...heads.weights.values()];
    const ce = () => headCrossEntropy(tf, headLogits(tf, heads, 'pref', x), labels);
    const first = ce().dataSync()[0];
    assert.ok(Math.abs(first - Math.log(4)) < 0.1, `initial CE ${first} should be near ln 4`);
    for (let i = 0; i < 30; i++) {
      const { value, grads } = tf.variableGrads(ce, vars);
      value.dispose();
      // Only the pref head feeds this loss.
      assert.equal(grads['grad_test/dispref.weight'], undefined);
      const g = grads['grad_test/pref.weight'];
      assert.deepEqual(g.shape, [8, 4]);
      const gv = g.dataSync();
      assert.ok(gv.every(Number.isFinite) && gv.some((v) => v !== 0));
      for (const v of vars) if (grads[v.name]) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.5)));
      tf.dispose(Object.values(grads));
    }
    assert.ok(ce().dataSync()[0] < first - 0.1);
    disposeSpoHeads(heads);
  });
});
