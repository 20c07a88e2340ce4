// Backend selection: auto falls back past the absent native builds with one note each; a forced
// backend that cannot load fails with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf, BackendChoice } from '../../../src/core/model';

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

test('auto picks the best backend that loads and says why better ones were skipped', async () => {
  const { tf, backend, notes } = await loadTf();
  assert.equal(tf.getBackend(), backend);
  if (!installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node')) {
    assert.equal(backend, 'wasm');
    assert.deepEqual(notes, ['tfjs-node-gpu: @tensorflow/tfjs-node-gpu is not installed', 'tfjs-node: @tensorflow/tfjs-node is not installed']);
  }
  assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm'), 'the wasm gather-gradient kernel is registered');
});

test('a forced backend that cannot load throws naming it; unknown names are rejected', async () => {
  if (!installed('@tensorflow/tfjs-node')) {
    await assert.rejects(loadTf({ backend: 'tfjs-node' }), /backend 'tfjs-node' unavailable: @tensorflow\/tfjs-node is not installed/);
  }
  await assert.rejects(loadTf({ backend: 'webgpu' as BackendChoice }), /unknown backend 'webgpu'/);
  const { backend } = await loadTf({ backend: 'cpu' });
  assert.equal(backend, 'cpu');
});
