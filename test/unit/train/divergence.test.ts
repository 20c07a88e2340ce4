// Issue 13 §4: NaN and divergence keep a good checkpoint. The rules are pinned by test/vectors/health.json,
// which the Python engine checks too; then the trainer on the two observed runs (--lr 1e4, --lr 1e38).
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/paths';
import { DIVERGENCE_RULES, DivergenceMonitor } from '../../../src/core/train/divergence';
import { nanStopPlan } from '../../../src/core/train/finiteGuard';
import { AdamW } from '../../../src/core/train/optim';
import { loadTf } from '../../../src/core/model/backend';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { resolveConfig, TrainConfig } from '../../../src/core/train/config';
import { train } from '../../../src/core/train/trainer';
import { readSafetensors } from '../../../src/core/model/safetensors';
import type { TrainerEvent } from '../../../src/core/protocol/trainer';

interface Vector { name: string; loss: Array<number | string>; grad_norm: Array<number | string | null>; expected: Array<{ step: number; code: string }>; stop_step: number | null }
const VECTORS = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'vectors', 'health.json'), 'utf8')) as {
  rules: Record<string, number>; vectors: Vector[];
};
const num = (v: number | string | null): number | null => (typeof v === 'string' ? Number(v) : v);

describe('divergence rules (test/vectors/health.json)', () => {
  it('the thresholds in the vectors file are the ones the code applies', () => {
    const R = DIVERGENCE_RULES;
    assert.deepEqual(VECTORS.rules, {
      window: R.window, min_history: R.minHistory, loss_factor: R.lossFactor, loss_floor: R.lossFloor,
      grad_factor: R.gradFactor, grad_floor: R.gradFloor, cooldown_steps: R.cooldownSteps,
    });
  });

  for (const v of VECTORS.vectors) {
    it(`vector: ${v.name}`, () => {
      const m = new DivergenceMonitor();
      const got: Array<{ step: number; code: string }> = [];
      let stopped: number | null = null;
      for (let i = 0; i < v.loss.length; i++) {
        const step = i + 1;
        const r = m.observe(step, num(v.loss[i])!, num(v.grad_norm[i]));
        got.push(...r.alerts.map((a) => ({ step, code: a.code })));
        if (r.stop) { stopped = step; break; }
        // The state survives a checkpoint round trip at every step.
        const copy = new DivergenceMonitor();
        copy.setState(JSON.parse(JSON.stringify(m.getState())));
        assert.deepEqual(copy.getState(), m.getState());
      }
      assert.deepEqual(got, v.expected);
      assert.equal(stopped, v.stop_step);
    });
  }

  it('a NaN stop sets aside the checkpoint that already fails, and names the one before', () => {
    assert.deepEqual(nanStopPlan([1], 2, true), { lastGood: null, quarantine: 1 });
    assert.deepEqual(nanStopPlan([2, 4], 5, true), { lastGood: 2, quarantine: 4 });
    assert.deepEqual(nanStopPlan([2, 4], 5, false), { lastGood: 4, quarantine: null });
    assert.deepEqual(nanStopPlan([2], 5, true), { lastGood: 2, quarantine: null });
  });
});

describe('finite guard in the optimizer', () => {
  it('refuses an update that would make a parameter non-finite, leaving weights, moments and step untouched', async () => {
    const { tf } = await loadTf({ backend: 'cpu' });
    const opt = new AdamW(tf, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, maxGradNorm: 0 });
    const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, 'w');
    const params = new Map([['w', w]]);
    const grads = () => new Map([['w', tf.tensor2d([[1, 1], [1, 1]])]]);
    const r = opt.applyIfFinite(params, grads(), 1e39); // float32 overflow: the new weights would be -Infinity
    assert.equal(r.applied, false);
    assert.match(!r.applied ? r.problem : '', /parameter 'w' non-finite/);
    assert.deepEqual(Array.from(w.dataSync()), [1, 2, 3, 4]);
    assert.equal(opt.step, 0);
    assert.equal(opt.stateTensors().size, 0);
    const nanGrad = opt.applyIfFinite(params, new Map([['w', tf.tensor2d([[NaN, 1], [1, 1]])]]), 1e-3);
    assert.equal(nanGrad.applied, false);
    assert.match(!nanGrad.applied ? nanGrad.problem : '', /gradient norm is NaN/);
    assert.equal(opt.applyIfFinite(params, grads(), 1e-3).applied, true);
    assert.equal(opt.step, 1);
  });
});

function tinyConfig(data: string, overrides: Record<string, unknown>): TrainConfig {
  return resolveConfig([{
    values: {
      data, backend: 'wasm', warmup_steps: 0, max_steps: 8, per_device_train_batch_size: 4, max_length: 64, eval_steps: 0, save_steps: 0,
      max_pairs: 16, write_degrees: false, max_grad_norm: 0,
      tiny_vocab_size: 280, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, tiny_context_length: 64, tiny_sft_steps: 2,
      ...overrides,
    },
  }]);
}

describe('trainer on a diverging learning rate (issue 13 §4)', () => {
  let dir: string;
  let data: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-diverge-'));
    data = path.join(dir, 'demo.jsonl');
    const pairs = generateDemoPairs({ count: 24, seed: 5 });
    fs.writeFileSync(data, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--lr 1e4 raises a divergence alert instead of ending "completed" in silence', async () => {
    const events: TrainerEvent[] = [];
    await train({ config: tinyConfig(data, { learning_rate: 1e4 }), runDir: path.join(dir, 'lr1e4'), hooks: { onEvent: (e) => events.push(e) } });
    const codes = events.flatMap((e) => (e.type === 'alert' ? [e.code] : []));
    assert.ok(codes.some((c) => c === 'divergence' || c === 'grad-norm-explosion' || c === 'nan'), `alerts: ${codes.join(', ') || 'none'}`);
  });

  it('--lr 1e38 with save_steps=1: no checkpoint left to resume holds weights that fail, and the stop says which is good', async () => {
    const runDir = path.join(dir, 'lr1e38');
    const events: TrainerEvent[] = [];
    const result = await train({ config: tinyConfig(data, { learning_rate: 1e38, save_steps: 1 }), runDir, hooks: { onEvent: (e) => events.push(e) } });
    assert.equal(result.reason, 'failed');
    const alert = events.find((e) => e.type === 'alert' && e.code === 'nan');
    assert.ok(alert && alert.type === 'alert', 'a nan alert');
    assert.match(result.message!, /loss is NaN at step 2; training stopped before the update/);
    // Step 1's weights (~1e37) are finite but already overflow: that checkpoint is set aside, not offered as good.
    assert.match(result.message!, /step-1 checkpoint already produced it and was set aside as step-1\.nonfinite/);
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', 'step-1.nonfinite')));
    const left = fs.existsSync(path.join(runDir, 'checkpoints')) ? fs.readdirSync(path.join(runDir, 'checkpoints')).filter((n) => /^step-\d+$/.test(n)) : [];
    // Every checkpoint still offered for resume holds finite weights; the named "last good" one is among them.
    for (const name of left) {
      for (const [tensor, t] of readSafetensors(path.join(runDir, 'checkpoints', name, 'model.safetensors')).tensors) {
        assert.ok((t.data as Float32Array).every(Number.isFinite), `${name}/${tensor} is finite`);
      }
    }
    const named = /checkpoints[/\\](step-\d+)/.exec(result.message!.split('(')[1] ?? '');
    if (named) assert.ok(left.includes(named[1]), `${named[1]} is still there`);
    else assert.match(result.message!, /no good checkpoint was saved yet/);
    // And resuming it with a sane learning rate does not go NaN at once (or finds nothing to resume: never a poisoned start).
    if (left.length > 0) {
      const resumed = await train({ config: tinyConfig(data, { learning_rate: 1e-3, save_steps: 1, max_steps: 10 }), runDir, resume: true });
      assert.notEqual(resumed.reason, 'failed', resumed.message);
    } else {
      await assert.rejects(train({ config: tinyConfig(data, { learning_rate: 1e-3, max_steps: 10 }), runDir, resume: true }), /no checkpoint to resume from/);
    }
  });
});
