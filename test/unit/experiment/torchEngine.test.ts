// The experiment on the torch engine: a tiny random Llama (the engine's own fixture module), the real HH
// sample, two arms, one seed. Every arm is a real TRL run; the held-out margins come from the engine's
// degrees.jsonl in held-out order, and the data-degree analysis is recorded. Plus the pure pieces.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HH_SAMPLE } from '../../helpers/paths';
import { choosePython, pythonChildEnv } from '../../../src/core/engine/pythonLocation';
import { runExperiment } from '../../../src/core/experiment/runner';
import { heldOutMarginsFromDegrees } from '../../../src/core/experiment/torchArm';
import { dataDegreeDiagnostic, spearman } from '../../../src/core/experiment/analysis';
import { renderSummary } from '../../../src/core/experiment/summary';
import type { ExperimentResults, RunRecord } from '../../../src/core/experiment/types';

describe('held-out margins from a torch run', () => {
  const line = (index: number, split: string, margin: number) => JSON.stringify({ index, split, model: { margin } });
  it('keeps the eval records, in index order', () => {
    const text = [line(0, 'train', 9), line(5, 'eval', -0.5), line(3, 'eval', 0.25), ''].join('\n');
    assert.deepEqual(heldOutMarginsFromDegrees(text, 'd.jsonl', 2), [0.25, -0.5]);
  });
  it('takes every record of a file that holds only eval pairs', () => {
    assert.deepEqual(heldOutMarginsFromDegrees([line(1, 'x', 2), line(0, 'x', 1)].join('\n'), 'e.jsonl', 2, true), [1, 2]);
  });
  it('refuses a missing pair or a bad margin, naming the file', () => {
    assert.throws(() => heldOutMarginsFromDegrees(line(3, 'eval', 1), 'd.jsonl', 2), /d\.jsonl: 1 held-out degree records, expected 2/);
    assert.throws(() => heldOutMarginsFromDegrees(JSON.stringify({ index: 1, split: 'eval', model: {} }), 'd.jsonl', 1), /d\.jsonl:1: an eval record without a finite model\.margin/);
  });
});

describe('data degree against the learned margin', () => {
  it('Spearman uses average ranks for ties', () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    // ranks of [0, 0, 1] are [1.5, 1.5, 3]; of [1, 2, 3] are [1, 2, 3]: Pearson = 0.866…
    assert.ok(Math.abs(spearman([0, 0, 1], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
    assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
  });
  it('bins the pairs by the sign of the data degree and averages over seeds', () => {
    const run = (seed: number, margins: number[]): RunRecord => ({
      arm: 'dpo', seed, gamma: 0, classes: 4, sweepValue: null, runDir: '', seconds: 0, heldOutMargins: margins,
      metrics: { eval_reward_accuracy: 0, eval_mean_margin: 0, eval_pairs: margins.length, final_train: {}, tail_train: {}, mean_spo_coverage: null },
    });
    const [d] = dataDegreeDiagnostic([-1, 0, 0.5, 1], [{ name: 'dpo', gamma: 0, classes: 4, sweepValue: null }], [run(1, [-2, 1, 1, 3]), run(2, [1, -1, 2, 3])]);
    assert.deepEqual(d.bins.map((b) => [b.bin, b.pairs, b.accuracy]), [['negative', 1, 0.5], ['zero', 1, 0.5], ['positive', 2, 1]]);
    assert.equal(d.perSeed.length, 2);
    assert.equal(d.spearman, (d.perSeed[0] + d.perSeed[1]) / 2);
  });
});

describe('spo experiment on the torch engine', () => {
  let dir: string;
  let model: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-torch-experiment-'));
    model = path.join(dir, 'llama');
    execFileSync(choosePython().command, ['-m', 'spo_torch.fixtures', 'model', model], { env: pythonChildEnv(), stdio: 'ignore', timeout: 120_000 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trains both arms with TRL and scores them on the same held-out pairs', async () => {
    const outDir = path.join(dir, 'out');
    const lines: string[] = [];
    const r: ExperimentResults = await runExperiment({
      dataFile: HH_SAMPLE, outDir, seeds: [1], heldOutFraction: 0.25, splitSeed: 3, maxPairs: 24, model,
      gamma: 0.1, classes: 3, sweep: null, keepRuns: true, command: 'test', log: (l) => lines.push(l),
      trainer: { engine: 'torch', max_steps: 2, per_device_train_batch_size: 2, max_length: 256, learning_rate: 1e-3 },
    });
    assert.ok(lines.some((l) => new RegExp(`every arm trains on the first 4 of the ${r.split.train.length} train pairs`).test(l)), lines.join('\n'));
    assert.equal(r.data.pairs + (r.data.promptTooLong?.length ?? 0), 24);
    assert.ok(r.split.heldOut.length >= 3, `held out ${r.split.heldOut.length}`);
    assert.ok(r.environment.backend.startsWith('torch-'), r.environment.backend);
    assert.deepEqual(r.runs.map((x) => x.arm), ['dpo', 'dpo+spo']);
    for (const run of r.runs) {
      assert.equal(run.heldOutMargins.length, r.split.heldOut.length);
      assert.ok(run.heldOutMargins.every(Number.isFinite));
      // The margins are the engine's eval records, in held-out (index) order.
      const runDir = path.join(outDir, run.runDir);
      const records = fs.readFileSync(path.join(runDir, 'degrees.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
        .filter((x) => x.split === 'eval').sort((a, b) => a.index - b.index);
      assert.deepEqual(run.heldOutMargins, records.map((x) => Number(x.model.margin.toPrecision(6))));
      const cfg = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8'));
      assert.deepEqual([cfg.engine, cfg.max_pairs, cfg.spo_gamma], ['torch', 4, run.gamma]);
    }
    // The SPO arm really trained the heads; the DPO arm has none.
    assert.ok(Number.isFinite(r.runs[1].metrics.final_train['loss/spo_pref']));
    assert.equal(r.runs[0].metrics.final_train['loss/spo_pref'] ?? 0, 0);
    assert.equal(r.heldOutDataDegrees?.length, r.split.heldOut.length);
    assert.match(renderSummary(r), /Spearman ρ \(data degree, margin\)/);
  });
});
