// The explicit held-out set (`eval_data`, recorded in split.json) and `write_degrees`: config checks
// naming the key, and a short tiny-preset run that evaluates and scores the eval file's pairs apart.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { ConfigError, resolveConfig } from '../../../src/core/train/config';
import { train } from '../../../src/core/train/trainer';
import { parseTrainArgs } from '../../../src/trainer/run';
import type { TrainerEvent } from '../../../src/core/protocol/trainer';
import type { DegreeRecord } from '../../../src/core/protocol';

const readJsonl = <T>(file: string): T[] => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);

function writeDemo(file: string, count: number, seed: number): void {
  const pairs = generateDemoPairs({ count, seed });
  fs.writeFileSync(file, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
}

describe('eval_data and write_degrees', () => {
  let dir: string;
  let data: string;
  let heldOut: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-eval-data-'));
    data = path.join(dir, 'train.jsonl');
    heldOut = path.join(dir, 'held-out.jsonl');
    writeDemo(data, 16, 5);
    writeDemo(heldOut, 6, 6);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults to a random split and writing degrees, and rejects bad values naming the key', () => {
    const c = resolveConfig([]);
    assert.equal(c.eval_data, null);
    assert.equal(c.write_degrees, true);
    assert.throws(() => resolveConfig([{ values: { eval_data: 5 } }]),
      (err: Error) => err instanceof ConfigError && err.message === 'config key "eval_data" must be a string or null, got 5');
    assert.throws(() => resolveConfig([{ values: { eval_data: '' } }]), /config key "eval_data" must name a preference file/);
    assert.throws(() => resolveConfig([{ values: { write_degrees: 'no' }, where: 'c.json' }]), /c\.json: config key "write_degrees" must be true or false, got "no"/);
    assert.throws(() => parseTrainArgs(['--data', 'x', '--set', 'write_degrees=0'], dir), /config key "write_degrees" must be true or false, got "0"/);
    const parsed = parseTrainArgs(['--data', 'x.jsonl', '--eval-data', 'h.jsonl', '--set', 'write_degrees=false', '--out', 'run'], dir);
    assert.equal(parsed.config.eval_data, path.join(dir, 'h.jsonl'));
    assert.equal(parsed.config.write_degrees, false);
  });

  it('a missing eval_data file fails the run with the key and the file named', async () => {
    const runDir = path.join(dir, 'missing');
    const config = resolveConfig([{ values: { data, eval_data: path.join(dir, 'nope.jsonl'), backend: 'wasm', max_steps: 1 } }]);
    await assert.rejects(train({ config, runDir }), /config key "eval_data": .*nope\.jsonl/);
    const done = readJsonl<TrainerEvent>(path.join(runDir, 'metrics.jsonl')).pop();
    assert.ok(done?.type === 'done' && done.reason === 'failed');
  });

  it('trains on every data pair, evaluates the eval_data pairs, records them in split.json and keeps their degrees apart', async () => {
    const runDir = path.join(dir, 'run');
    const events: TrainerEvent[] = [];
    const config = resolveConfig([{
      values: {
        data, eval_data: heldOut, eval_fraction: 0.5, backend: 'wasm', max_steps: 3, per_device_train_batch_size: 4, max_length: 64, eval_steps: 0, save_steps: 0,
        warmup_steps: 1, tiny_vocab_size: 300, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, tiny_context_length: 64, tiny_sft_steps: 2,
      },
    }]);
    const result = await train({ config, runDir, hooks: { onEvent: (e) => events.push(e) } });
    assert.equal(result.reason, 'completed', result.message);

    // eval_fraction is ignored: all 16 data pairs train, all 6 eval_data pairs are held out.
    const split = JSON.parse(fs.readFileSync(path.join(runDir, 'split.json'), 'utf8'));
    assert.equal(split.evalData, heldOut);
    assert.deepEqual(split.trainLines, Array.from({ length: 16 }, (_, i) => i + 1));
    assert.deepEqual(split.evalLines, Array.from({ length: 6 }, (_, i) => i + 1));

    // The final eval row covers the held-out file.
    assert.ok(result.lastEval && result.lastEval.step === 3);
    for (const k of ['eval/loss', 'eval/rewards/accuracies', 'eval/rewards/margins']) assert.ok(Number.isFinite(result.lastEval[k]), `${k} is finite`);

    // degrees.jsonl lines refer to the data file only; the held-out pairs go to eval_degrees.jsonl.
    const degrees = readJsonl<DegreeRecord>(path.join(runDir, 'degrees.jsonl'));
    assert.equal(degrees.length, 16);
    assert.ok(degrees.every((r) => r.split === 'train'));
    const evalDegrees = readJsonl<DegreeRecord>(path.join(runDir, 'eval_degrees.jsonl'));
    assert.deepEqual(evalDegrees.map((r) => r.line), split.evalLines);
    assert.ok(evalDegrees.every((r) => r.split === 'eval' && Number.isFinite(r.model.margin)));
    // Same margins as the eval row reports on average (both use β·(policy − reference) on the same pairs).
    const mean = evalDegrees.reduce((a, r) => a + r.model.margin, 0) / evalDegrees.length;
    assert.ok(Math.abs(mean - result.lastEval['eval/rewards/margins']) < 1e-3, `${mean} vs ${result.lastEval['eval/rewards/margins']}`);

    // A resume re-reads eval_data and checks it still matches split.json.
    fs.writeFileSync(heldOut, fs.readFileSync(heldOut, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    await assert.rejects(train({ config: { ...config, max_steps: 4 }, runDir, resume: true }), /split\.json does not match the data/);
  });
});
