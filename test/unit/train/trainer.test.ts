// The trainer end to end on small data: it learns the planted preference of the demo pairs, resumes
// exactly where it stopped, and stops cleanly on a NaN loss.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { resolveConfig, TrainConfig } from '../../../src/core/train/config';
import { train } from '../../../src/core/train/trainer';
import type { MetricsRow, TrainerEvent } from '../../../src/core/protocol/trainer';
import type { DegreeRecord } from '../../../src/core/protocol';

const STEP_METRICS = [
  'loss', 'loss/align', 'loss/spo_pref', 'loss/spo_dispref', 'spo/acc_pref', 'spo/acc_dispref', 'spo/coverage',
  'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected',
  'grad_norm', 'learning_rate', 'tokens_per_second', 'epoch', 'step',
];

/** A small model and short phases: enough to learn the demo data's planted preference in seconds. */
function tinyConfig(data: string, overrides: Record<string, unknown> = {}): TrainConfig {
  return resolveConfig([{
    values: {
      data, backend: 'wasm', beta: 0.5, learning_rate: 3e-3, warmup_steps: 5, max_steps: 40, per_device_train_batch_size: 8,
      max_length: 96, eval_steps: 20, save_steps: 0,
      tiny_vocab_size: 300, tiny_d_model: 32, tiny_n_layers: 1, tiny_n_heads: 2, tiny_context_length: 96, tiny_sft_steps: 30,
      ...overrides,
    },
  }]);
}

const readJsonl = <T>(file: string): T[] => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
const trainRows = (events: TrainerEvent[]): MetricsRow[] =>
  events.flatMap((e) => (e.type === 'metrics' && e.row.loss !== undefined ? [e.row] : []));

describe('trainer', () => {
  let dir: string;
  let data: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-trainer-'));
    data = path.join(dir, 'demo.jsonl');
    const pairs = generateDemoPairs({ count: 64, seed: 1 });
    fs.writeFileSync(data, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('learns the planted preference of the demo data (≥ 0.9 training reward accuracy) and fills the run folder', async () => {
    const runDir = path.join(dir, 'learn');
    const events: TrainerEvent[] = [];
    // A context of 160 tokens holds a whole demo pair: at 96 the last sentences (where a missing fact may be) were cut,
    // leaving chosen and rejected identical to the model on a few pairs.
    const config = tinyConfig(data, { max_length: 160, tiny_context_length: 160 });
    const result = await train({ config, runDir, hooks: { onEvent: (e) => events.push(e) } });
    assert.equal(result.reason, 'completed');
    for (const f of ['config.json', 'metrics.jsonl', 'log.txt', 'split.json', 'tokenizer.json', 'reference/model.safetensors', 'degrees.jsonl',
      'checkpoints/step-40/model.safetensors', 'checkpoints/step-40/config.json', 'checkpoints/step-40/tokenizer.json',
      'checkpoints/step-40/spo_heads.safetensors', 'checkpoints/step-40/optimizer.safetensors', 'checkpoints/step-40/trainer_state.json']) {
      assert.ok(fs.existsSync(path.join(runDir, f)), `${f} exists`);
    }
    // metrics.jsonl holds every event, in order, as sent.
    assert.deepEqual(readJsonl<TrainerEvent>(path.join(runDir, 'metrics.jsonl')), events);
    const rows = trainRows(events);
    assert.equal(rows.length, 40);
    for (const name of STEP_METRICS) assert.ok(name in rows[0], `row has ${name}`);
    const evalRow = events.flatMap((e) => (e.type === 'metrics' && e.row['eval/loss'] !== undefined ? [e.row] : [])).pop()!;
    for (const name of STEP_METRICS.filter((n) => !['step', 'grad_norm', 'learning_rate', 'tokens_per_second', 'epoch'].includes(n))) {
      assert.ok(`eval/${name}` in evalRow, `eval row has eval/${name}`);
    }
    // Training reward accuracy: the trained policy ranks chosen over rejected on ≥ 90 % of training pairs.
    const degrees = readJsonl<DegreeRecord>(path.join(runDir, 'degrees.jsonl'));
    assert.equal(degrees.length, 64);
    const trainSplit = degrees.filter((d) => d.split === 'train');
    const acc = trainSplit.filter((d) => d.model.margin > 0).length / trainSplit.length;
    assert.ok(acc >= 0.9, `training reward accuracy ${acc}`);
    assert.ok(rows.slice(-5).every((r) => r['rewards/accuracies'] >= 0.75));
    const d = degrees[0];
    assert.ok(d.line >= 1 && d.spo !== null && d.spo.pref.probs.length === 4);
    assert.ok(Math.abs(d.model.probability - 1 / (1 + Math.exp(-d.model.margin))) < 1e-9);
    assert.equal(events[events.length - 1].type, 'done');
  });

  it('starts from an HF model folder (--model) with precomputed reference log-probs (ipo) or none (simpo)', async () => {
    const model = path.join(dir, 'learn', 'checkpoints', 'step-40');
    for (const [loss, precompute] of [['ipo', true], ['simpo', false]] as const) {
      const runDir = path.join(dir, `from-model-${loss}`);
      const events: TrainerEvent[] = [];
      const result = await train({
        config: tinyConfig(data, { model, loss_type: loss, precompute_ref_log_probs: precompute, max_steps: 2, max_pairs: 16, eval_steps: 0, learning_rate: 1e-4 }),
        runDir, hooks: { onEvent: (e) => events.push(e) },
      });
      assert.equal(result.reason, 'completed', loss);
      const rows = trainRows(events);
      assert.equal(rows.length, 2);
      assert.ok(rows.every((r) => Number.isFinite(r.loss) && Number.isFinite(r['rewards/margins'])));
      assert.equal(fs.existsSync(path.join(runDir, 'reference', 'logps.json')), precompute);
      assert.ok(fs.existsSync(path.join(runDir, 'degrees.jsonl')));
      assert.ok(!events.some((e) => e.type === 'log' && /sft step/.test(e.message)), 'no SFT phase with --model');
    }
  });

  it('resumes from a checkpoint with the same following losses as an uninterrupted run', async () => {
    const overrides = { max_steps: 8, tiny_sft_steps: 4, max_pairs: 32, eval_steps: 0 };
    const full: TrainerEvent[] = [];
    await train({ config: tinyConfig(data, overrides), runDir: path.join(dir, 'full'), hooks: { onEvent: (e) => full.push(e) } });
    const runDir = path.join(dir, 'split');
    let lastStep = 0;
    const first = await train({
      config: tinyConfig(data, overrides), runDir,
      hooks: { onEvent: (e) => { if (e.type === 'metrics') lastStep = e.row.step; }, shouldStop: () => lastStep >= 4 },
    });
    assert.equal(first.reason, 'stopped');
    assert.equal(first.step, 4);
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints/step-4/trainer_state.json')));
    const resumed: TrainerEvent[] = [];
    const second = await train({ config: tinyConfig(data, overrides), runDir, resume: true, hooks: { onEvent: (e) => resumed.push(e) } });
    assert.equal(second.reason, 'completed');
    const a = trainRows(full).filter((r) => r.step > 4);
    const b = trainRows(resumed);
    assert.deepEqual(b.map((r) => r.step), [5, 6, 7, 8]);
    a.forEach((row, i) => {
      for (const k of ['loss', 'loss/align', 'loss/spo_pref', 'loss/spo_dispref', 'rewards/margins', 'grad_norm', 'learning_rate']) {
        assert.ok(Math.abs(row[k] - b[i][k]) <= 1e-6, `step ${row.step} ${k}: ${row[k]} vs ${b[i][k]}`);
      }
    });
  });

  it('stops with a clear message naming the step on a NaN loss, keeping the last good checkpoint', async () => {
    const runDir = path.join(dir, 'nan');
    const events: TrainerEvent[] = [];
    const result = await train({
      config: tinyConfig(data, { max_steps: 6, tiny_sft_steps: 2, max_pairs: 24, save_steps: 2, eval_steps: 0 }), runDir,
      hooks: { onEvent: (e) => events.push(e), inspectLoss: (step, loss) => (step === 3 ? NaN : loss) },
    });
    assert.equal(result.reason, 'failed');
    assert.match(result.message!, /loss is NaN at step 3/);
    assert.match(result.message!, /checkpoints[/\\]step-2/);
    const alert = events.find((e) => e.type === 'alert');
    assert.ok(alert && alert.type === 'alert' && alert.code === 'nan' && alert.step === 3);
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints/step-2/trainer_state.json')));
    assert.ok(!fs.existsSync(path.join(runDir, 'checkpoints/step-3')));
    const done = events[events.length - 1];
    assert.ok(done.type === 'done' && done.reason === 'failed');
  });
});
