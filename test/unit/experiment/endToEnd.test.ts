// A tiny real experiment (the trainer, a tiny GPT, a few steps, demo data): results.json has the
// promised structure, every run is evaluated on the same held-out pairs, and the summary and plots exist.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateDemoPairs } from '../../../src/core/data';
import { runExperiment } from '../../../src/core/experiment/runner';
import { findChromium } from '../../../src/core/experiment/rasterise';
import { ExperimentResults } from '../../../src/core/experiment/types';
import { experimentCommand } from '../../../src/cli/commands/experiment';
import { EXPERIMENT_PROGRESS_PREFIX, ExperimentProgressEvent, parseProgressLine } from '../../../src/core/protocol';
import { applyProgressLine, experimentFraction, initialProgress } from '../../../src/core/runs';
import { PassThrough } from 'stream';

const TINY_BUDGET = {
  max_steps: 3,
  per_device_train_batch_size: 2,
  max_length: 64,
  tiny_sft_steps: 2,
  tiny_vocab_size: 300,
  tiny_d_model: 32,
  tiny_n_layers: 1,
  tiny_n_heads: 2,
  tiny_context_length: 64,
};

test('a tiny DPO vs DPO+SPO experiment writes results.json, summary.md and plots', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-experiment-'));
  try {
    const dataFile = path.join(dir, 'demo.jsonl');
    const demo = generateDemoPairs({ count: 24, seed: 5 });
    fs.writeFileSync(dataFile, demo.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
    const outDir = path.join(dir, 'out');
    const lines: string[] = [];
    const returned = await runExperiment({
      dataFile, outDir, seeds: [1, 2], heldOutFraction: 0.25, splitSeed: 9, maxPairs: 0, model: null,
      gamma: 0.1, classes: 3, sweep: null, trainer: TINY_BUDGET, keepRuns: false, command: 'test', log: (l) => lines.push(l),
    });

    const r = JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8')) as ExperimentResults;
    assert.deepEqual(r, JSON.parse(JSON.stringify(returned)));
    assert.equal(r.kind, 'spo-vs-dpo');
    assert.equal(r.data.pairs, 24);
    assert.deepEqual(r.arms.map((a) => [a.name, a.gamma, a.classes]), [['dpo', 0, 3], ['dpo+spo', 0.1, 3]]);
    assert.deepEqual(r.seeds, [1, 2]);
    assert.equal(r.budget.steps, 3);
    assert.equal(r.budget.batchSize, 2);
    assert.equal(r.budget.sftSteps, 2);

    // The split: 6 held out, recorded as source lines (the demo file has one pair per line).
    assert.equal(r.split.heldOut.length, 6);
    assert.equal(r.split.train.length, 18);
    assert.deepEqual(r.split.heldOutLines, r.split.heldOut.map((i) => i + 1));
    assert.ok(r.split.heldOut.every((i) => !r.split.train.includes(i)));

    // One run per arm per seed, each evaluated on every held-out pair; accuracy is the share of positive margins.
    assert.equal(r.runs.length, 4);
    for (const run of r.runs) {
      assert.equal(run.metrics.eval_pairs, 6);
      assert.equal(run.heldOutMargins.length, 6);
      const positive = run.heldOutMargins.filter((m) => m > 0).length / 6;
      assert.ok(Math.abs(run.metrics.eval_reward_accuracy - positive) < 1e-9, `${run.arm} seed ${run.seed}: accuracy matches its margins`);
      assert.ok(Number.isFinite(run.metrics.eval_mean_margin));
      assert.ok(Number.isFinite(run.metrics.final_train['loss/align']), 'the last training row is recorded');
      assert.ok(Number.isFinite(run.metrics.tail_train['loss/align']), 'and the mean of the last rows');
      assert.equal('spo/acc_pref' in run.metrics.tail_train, run.gamma > 0);
      assert.equal(run.metrics.mean_spo_coverage === null, run.gamma === 0);
      // Heavy files are gone by default; the run's log and metrics stay.
      assert.ok(fs.existsSync(path.join(outDir, run.runDir, 'metrics.jsonl')));
      assert.ok(!fs.existsSync(path.join(outDir, run.runDir, 'checkpoints')));
      // write_degrees: false — the run finishes 'completed' at its last step, with no degrees pass.
      const events = fs.readFileSync(path.join(outDir, run.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(
        { type: events[events.length - 1].type, reason: events[events.length - 1].reason, step: events[events.length - 1].step },
        { type: 'done', reason: 'completed', step: r.budget.steps },
      );
      assert.ok(!fs.existsSync(path.join(outDir, run.runDir, 'degrees.jsonl')));
    }
    assert.deepEqual(r.heldOutLengths.chosen, r.split.heldOut.map((i) => demo[i].chosen.length));
    // The train file the arms saw holds exactly the train pairs.
    const trainLines = fs.readFileSync(path.join(outDir, 'runs', 'data', 'train.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(trainLines.map((l) => JSON.parse(l).source_line), r.split.trainLines);

    // Statistics: paired by seed.
    const acc = r.comparisons.find((c) => c.metric === 'eval_reward_accuracy')!;
    assert.deepEqual(acc.seeds, [1, 2]);
    assert.equal(acc.tTest.df, 1);
    assert.equal(r.summaries.length, 2);
    assert.ok(r.keyCoverage.rows.some((row) => row.classes === 3));
    assert.ok(r.environment.backend.length > 0);
    assert.match(r.environment.date, /^\d{4}-\d\d-\d\dT/);

    const summary = fs.readFileSync(path.join(outDir, 'summary.md'), 'utf8');
    assert.match(summary, /^# SPO vs DPO/);
    assert.match(summary, /\| DPO \(γ = 0\) \| – \| 0 \| 2 \|/);
    assert.match(summary, /## Conclusion/);
    for (const f of ['accuracy.svg', 'margin.svg']) assert.ok(fs.existsSync(path.join(outDir, f)), f);
    if (findChromium()) assert.ok(fs.existsSync(path.join(outDir, 'accuracy.png')));
    assert.ok(lines.some((l) => /dpo\+spo: done in \d+ s, held-out accuracy/.test(l)));

    // `spo experiment render` redraws the summary from results.json alone and appends analysis.md.
    fs.writeFileSync(path.join(outDir, 'analysis.md'), 'The heads stayed at chance.\n');
    fs.rmSync(path.join(outDir, 'margin.svg'));
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    assert.equal(await experimentCommand.run(['render', outDir], io), 0);
    const rerendered = fs.readFileSync(path.join(outDir, 'summary.md'), 'utf8');
    assert.match(rerendered, /## Analysis \(hand-written: analysis\.md\)\n\nThe heads stayed at chance\./);
    assert.equal(rerendered.replace(/## Analysis[^]*?(?=## Environment)/, ''), summary);
    assert.ok(fs.existsSync(path.join(outDir, 'margin.svg')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Everything written to a stream so far, as lines. */
function collect(stream: PassThrough): () => string[] {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
}

test('spo experiment --progress-json prints one @@spo-progress line per progress change, human lines unchanged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-experiment-progress-'));
  try {
    const dataFile = path.join(dir, 'demo.jsonl');
    const demo = generateDemoPairs({ count: 16, seed: 7 });
    fs.writeFileSync(dataFile, demo.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
    const sets = Object.entries(TINY_BUDGET).filter(([k]) => k.startsWith('tiny.') && k !== 'tiny_sft_steps').flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    const stdoutLines = collect(io.stdout);
    const stderrLines = collect(io.stderr);
    const code = await experimentCommand.run([
      'spo-vs-dpo', '--data', dataFile, '--out', path.join(dir, 'out'), '--seeds', '1', '--max-steps', '3', '--batch-size', '2',
      '--max-length', '64', '--sft-steps', '2', '--held-out', '0.25', '--progress-json', ...sets,
    ], io);
    assert.equal(code, 0);
    const stdout = stdoutLines();
    const stderr = stderrLines();

    const machine = stdout.filter((l) => l.startsWith(EXPERIMENT_PROGRESS_PREFIX));
    const events = machine.map((l) => parseProgressLine(l));
    assert.ok(events.every((e): e is ExperimentProgressEvent => e !== null), `every progress line parses: ${machine.join('\n')}`);
    const brief = (events as ExperimentProgressEvent[]).map((e) => `${e.arm} ${e.phase}${e.step !== undefined ? ` ${e.step}/${e.steps}` : ''} ${e.runsDone}/${e.runsTotal}`);
    assert.deepEqual(brief, [
      'reference training 0/2', 'reference training 1/1 0/2', 'reference done 0/2',
      'dpo training 0/3 0/2', 'dpo training 1/3 0/2', 'dpo training 2/3 0/2', 'dpo training 3/3 0/2', 'dpo done 1/2',
      'dpo+spo training 0/3 1/2', 'dpo+spo training 1/3 1/2', 'dpo+spo training 2/3 1/2', 'dpo+spo training 3/3 1/2', 'dpo+spo done 2/2',
    ]);
    for (const e of events as ExperimentProgressEvent[]) {
      assert.deepEqual([e.seed, e.seedIndex, e.seeds, e.stage], [1, 1, 1, e.arm === 'reference' ? 'reference' : 'arm']);
    }

    // The extension's fold of those lines: never backwards, whole at the end.
    let p = initialProgress(1, 2);
    let last = 0;
    for (const line of stdout) {
      p = applyProgressLine(p, line);
      assert.ok(experimentFraction(p) >= last, `fraction fell at ${line}`);
      last = experimentFraction(p);
    }
    assert.equal(last, 1);
    assert.equal(p.armsDone, 2);

    // Human lines: still on stderr, as before; stdout's summary lines are still there.
    assert.ok(stderr.some((l) => l === '[seed 1 1/1] dpo: training 3 steps (γ 0, K 4)'), stderr.join('\n'));
    assert.ok(stderr.some((l) => /^\[seed 1 1\/1\] dpo\+spo: done in \d+ s, held-out accuracy/.test(l)));
    assert.ok(!stderr.some((l) => l.startsWith(EXPERIMENT_PROGRESS_PREFIX)));
    assert.ok(stdout.some((l) => /^wrote .*results\.json/.test(l)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
