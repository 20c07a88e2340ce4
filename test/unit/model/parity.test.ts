// Numerical parity of our TF.js GPT-2 and Llama (GQA) with an independent float64 PyTorch reference
// (scripts/torch_parity.py wrote the checkpoints and expected values), on the cpu and wasm backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { FIXTURES_DIR, REPO_ROOT } from '../../helpers/paths';
import { loadTf, loadCausalLM, saveCausalLM, cloneCausalLM, responseLogProbs, readHfConfigFile, TF } from '../../../src/core/model';

const PARITY = path.join(FIXTURES_DIR, 'model', 'parity');

interface Expected {
  ids: number[][];
  responseMask: number[][];
  logits: number[];
  logitsShape: number[];
  hiddenLast: number[];
  logpSum: number[];
  logpMean: number[];
}

/** Largest |got - want| relative to the largest |want|. */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

function checkCase(tf: TF, name: string): void {
  const dir = path.join(PARITY, name);
  const want: Expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
  const model = loadCausalLM(tf, dir);
  try {
    const ids = tf.tensor2d(want.ids, undefined, 'int32');
    const mask = tf.tensor2d(want.responseMask);
    const { logits, hidden } = model.forward(ids);
    assert.deepEqual(logits.shape, want.logitsShape);
    assert.ok(relErr(logits.dataSync(), want.logits) < 1e-5, `${name} logits rel err ${relErr(logits.dataSync(), want.logits)}`);
    const T = hidden.shape[1];
    const last = tf.slice(hidden, [0, T - 1, 0], [-1, 1, -1]).dataSync();
    assert.ok(relErr(last, want.hiddenLast) < 1e-5, `${name} hidden rel err`);
    const lp = responseLogProbs(tf, logits, ids, mask);
    assert.ok(relErr(lp.sum.dataSync(), want.logpSum) < 1e-5, `${name} logp sum ${lp.sum.dataSync()} vs ${want.logpSum}`);
    assert.ok(relErr(lp.mean.dataSync(), want.logpMean) < 1e-5, `${name} logp mean`);
  } finally {
    model.dispose();
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`GPT-2 and Llama-GQA logits and log-probs match PyTorch on ${backend}`, async () => {
    const { tf } = await loadTf({ backend });
    tf.tidy(() => {
      checkCase(tf, 'gpt2');
      checkCase(tf, 'llama-gqa');
    });
  });
}

test('the llama fixture really uses grouped-query attention and an untied head', () => {
  const cfg = readHfConfigFile(path.join(PARITY, 'llama-gqa'));
  assert.ok(cfg.nKvHeads < cfg.nHeads);
  assert.equal(cfg.tieWordEmbeddings, false);
  assert.equal(cfg.ropeTheta, 5000);
});

test('save → load round trip keeps config and logits exactly', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  for (const name of ['gpt2', 'llama-gqa']) {
    const src = path.join(PARITY, name);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-model-'));
    try {
      const a = loadCausalLM(tf, src);
      saveCausalLM(a, out);
      const b = loadCausalLM(tf, out);
      assert.deepEqual(b.config, a.config);
      const saved = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
      assert.deepEqual(saved.architectures, [name === 'gpt2' ? 'GPT2LMHeadModel' : 'LlamaForCausalLM']);
      tf.tidy(() => {
        const ids = tf.tensor2d([[3, 1, 4, 1, 5, 9]], undefined, 'int32');
        assert.deepEqual(Array.from(b.forward(ids).logits.dataSync()), Array.from(a.forward(ids).logits.dataSync()));
      });
      a.dispose();
      b.dispose();
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
});

test('cloneCausalLM copies weights into independent (optionally frozen, prefixed) variables', async () => {
  const { tf } = await loadTf({ backend: 'cpu' });
  const policy = loadCausalLM(tf, path.join(PARITY, 'llama-gqa'), { namePrefix: 'policy' });
  const ref = cloneCausalLM(tf, policy, { namePrefix: 'ref', trainable: false });
  const ids = tf.tensor2d([[3, 1, 4, 1, 5]], undefined, 'int32');
  const before = tf.tidy(() => ref.forward(ids).logits.dataSync());
  assert.deepEqual(Array.from(before), Array.from(tf.tidy(() => policy.forward(ids).logits.dataSync())));
  const w = policy.weights.get('model.norm.weight')!;
  assert.equal(w.name, 'policy/model.norm.weight');
  assert.equal(ref.weights.get('model.norm.weight')!.trainable, false);
  w.assign(tf.mul(w, 2));
  assert.deepEqual(Array.from(tf.tidy(() => ref.forward(ids).logits.dataSync())), Array.from(before));
  assert.notDeepEqual(Array.from(tf.tidy(() => policy.forward(ids).logits.dataSync())), Array.from(before));
  policy.dispose();
  ref.dispose();
});

// Where Debian's python3-torch is installed (this project's dev machines and CI install it when they can),
// regenerate the reference from scratch and check both that the committed fixtures are what the script
// produces and that our models match the fresh numbers. Without torch, the committed fixtures above are the check.
const TORCH_PYTHON = '/usr/bin/python3';
const hasTorch = fs.existsSync(TORCH_PYTHON) && spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (hasTorch) {
  test('scripts/torch_parity.py reproduces the committed fixtures, and our models match its fresh output', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-parity-'));
    try {
      const run = spawnSync(TORCH_PYTHON, [path.join(REPO_ROOT, 'scripts', 'torch_parity.py')], { env: { ...process.env, SPO_PARITY_OUT: out }, encoding: 'utf8' });
      assert.equal(run.status, 0, `torch_parity.py failed:\n${run.stderr}`);
      const { tf } = await loadTf({ backend: 'cpu' });
      for (const name of ['gpt2', 'llama-gqa']) {
        const fresh: Expected = JSON.parse(fs.readFileSync(path.join(out, name, 'expected.json'), 'utf8'));
        const committed: Expected = JSON.parse(fs.readFileSync(path.join(PARITY, name, 'expected.json'), 'utf8'));
        assert.ok(relErr(fresh.logits, committed.logits) < 1e-9, `${name}: committed logits differ from a fresh run of the script`);
        assert.ok(relErr(fresh.logpSum, committed.logpSum) < 1e-9, `${name}: committed log-probs differ from a fresh run of the script`);
        const model = loadCausalLM(tf, path.join(out, name));
        try {
          tf.tidy(() => {
            const ids = tf.tensor2d(fresh.ids, undefined, 'int32');
            const { logits } = model.forward(ids);
            assert.ok(relErr(logits.dataSync(), fresh.logits) < 1e-5, `${name}: logits vs fresh torch output`);
          });
        } finally {
          model.dispose();
        }
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
} else {
  console.log(`# ${TORCH_PYTHON} has no torch: parity is checked against the committed fixtures only`);
}
