// Per-arm statistics, paired comparisons and summary.md on fixed numbers: the conclusion must say
// what the numbers say ("no significant difference" included).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { armSimilarity, compareWithBaseline, lengthDiagnostic, summariseArms, verdict } from '../../../src/core/experiment/analysis';
import { conclusionSentence, detectableDifference, fmtSigned, renderSummary } from '../../../src/core/experiment/summary';
import { ArmSpec, ExperimentResults, RunRecord } from '../../../src/core/experiment/types';

const ARMS: ArmSpec[] = [
  { name: 'dpo', gamma: 0, classes: 4, sweepValue: null },
  { name: 'dpo+spo', gamma: 0.1, classes: 4, sweepValue: null },
];

function run(arm: string, seed: number, acc: number, margin: number): RunRecord {
  return {
    arm, seed, gamma: arm === 'dpo' ? 0 : 0.1, classes: 4, sweepValue: null, runDir: `runs/${arm}-${seed}`, seconds: 10,
    metrics: {
      eval_reward_accuracy: acc, eval_mean_margin: margin, eval_pairs: 100,
      final_train: arm === 'dpo' ? {} : { 'spo/acc_pref': 0.9, 'spo/acc_dispref': 0.9, 'loss/spo_pref': 0.1, 'loss/align': 0.6 },
      tail_train: arm === 'dpo' ? { 'loss/align': 0.68 } : { 'spo/acc_pref': 0.3, 'spo/acc_dispref': 0.28, 'loss/spo_pref': 1.37, 'loss/spo_dispref': 1.4, 'loss/align': 0.69, 'rewards/accuracies': 0.6 },
      mean_spo_coverage: arm === 'dpo' ? null : 0.62,
    },
    heldOutMargins: [],
  };
}

function results(runs: RunRecord[]): ExperimentResults {
  return {
    kind: 'spo-vs-dpo',
    command: 'spo experiment spo-vs-dpo --data x.jsonl',
    data: { file: 'x.jsonl', pairs: 500, issues: 2, format: 'hh' },
    split: { seed: 1, heldOutFraction: 0.2, train: Array.from({ length: 400 }, (_, i) => i), heldOut: Array.from({ length: 100 }, (_, i) => 400 + i), trainLines: [], heldOutLines: [] },
    seeds: [1, 2, 3],
    budget: { steps: 50, batchSize: 4, learningRate: 1e-3, sftSteps: 40, maxLength: 96, trainerOverrides: { max_steps: 50, tiny_d_model: 64, backend: 'wasm' } },
    sweep: null,
    arms: ARMS,
    runs,
    summaries: summariseArms(ARMS, runs),
    comparisons: compareWithBaseline(ARMS, runs),
    heldOutLengths: { chosen: [], rejected: [] },
    keyCoverage: {
      responses: 400, maxKeys: 8, meanKeysChosen: 4.5, meanKeysRejected: 3.9, noKeysChosen: 0.05, noKeysRejected: 0.07,
      meanCharsChosen: 300, meanCharsRejected: 280,
      rows: [{ classes: 4, chosen: 0.7, rejected: 0.6, both: 0.5 }],
    },
    plots: { files: ['accuracy.svg', 'accuracy.png'], note: null },
    environment: { backend: 'wasm', backendNote: '', node: 'v20', tfjs: '4.22.0', spoStudio: '0.1.0', platform: 'linux x64', cpus: 2, cpuModel: 'cpu', date: '2026-01-01T00:00:00Z' },
    totalSeconds: 600,
  };
}

test('per-arm mean ± std and paired differences use matching seeds', () => {
  const runs = [run('dpo', 1, 0.5, 0.01), run('dpo', 2, 0.6, 0.02), run('dpo', 3, 0.55, 0.03),
    run('dpo+spo', 3, 0.57, 0.02), run('dpo+spo', 1, 0.53, 0.04), run('dpo+spo', 2, 0.58, 0.01)];
  const [dpo, spo] = summariseArms(ARMS, runs);
  assert.equal(dpo.n, 3);
  assert.ok(Math.abs(dpo.mean.eval_reward_accuracy - 0.55) < 1e-12);
  assert.ok(Math.abs(dpo.std.eval_reward_accuracy - 0.05) < 1e-12);
  assert.ok(Math.abs(spo.mean.eval_reward_accuracy - 0.56) < 1e-12);
  const acc = compareWithBaseline(ARMS, runs).find((c) => c.metric === 'eval_reward_accuracy')!;
  assert.deepEqual(acc.seeds, [1, 2, 3]);
  assert.deepEqual(acc.differences.map((d) => Number(d.toFixed(6))), [0.03, -0.02, 0.02]);
  assert.equal(acc.sign.positive, 2);
  assert.equal(acc.sign.negative, 1);
  assert.equal(verdict(acc), 'no-significant-difference');
});

test('summary says "no significant difference" when the paired test does', () => {
  const runs = [run('dpo', 1, 0.5, 0.01), run('dpo', 2, 0.6, 0.02), run('dpo', 3, 0.55, 0.03),
    run('dpo+spo', 1, 0.53, 0.04), run('dpo+spo', 2, 0.58, 0.01), run('dpo+spo', 3, 0.57, 0.02)];
  const md = renderSummary(results(runs));
  assert.match(md, /\| DPO \(γ = 0\) \| – \| 0 \| 3 \| 0\.550 ± 0\.050 \|/);
  assert.match(md, /\| DPO\+SPO \| 4 \| 0\.1 \| 3 \| 0\.560 ± 0\.026 \|/);
  assert.match(md, /\*\*No significant difference\.\*\*/);
  assert.doesNotMatch(md, /SPO helped/);
  assert.match(md, /\+0\.030, −?-?0\.020, \+0\.020/);
  assert.match(md, /one pair moves it by 0\.0100/);
  assert.match(md, /Other trainer settings: tiny_d_model=64, backend="wasm"\./);
  assert.match(md, /\| 4 \| 70\.0% \| 60\.0% \| 50\.0% \|/);
  assert.match(md, /!\[accuracy\.png\]\(accuracy\.png\)/);
});

test('a consistent improvement is reported as significant, with its p-value', () => {
  const runs = [run('dpo', 1, 0.5, 0.01), run('dpo', 2, 0.6, 0.02), run('dpo', 3, 0.55, 0.03),
    run('dpo+spo', 1, 0.6, 0.02), run('dpo+spo', 2, 0.71, 0.03), run('dpo+spo', 3, 0.64, 0.04)];
  const r = results(runs);
  const acc = r.comparisons.find((c) => c.metric === 'eval_reward_accuracy')!;
  // differences 0.10, 0.11, 0.09: mean 0.10, sd 0.01, t = 17.32, df 2 → p ≈ 0.0033.
  assert.ok(Math.abs(acc.tTest.t - 17.320508) < 1e-4);
  assert.ok(Math.abs(acc.tTest.p - 0.003317) < 1e-5);
  assert.equal(verdict(acc), 'better');
  const md = renderSummary(r);
  assert.match(md, /\*\*SPO helped\*\* \(p < 0\.05\) for: DPO\+SPO/);
  assert.match(conclusionSentence(acc), /significantly higher than DPO \(mean paired difference \+0\.100.*p = 0\.003, 3 seeds\)\. DPO\+SPO was ahead on 3 of 3 seeds/);
});

test('a consistent loss is reported as SPO hurting', () => {
  const runs = [run('dpo', 1, 0.6, 0.01), run('dpo', 2, 0.7, 0.02), run('dpo', 3, 0.65, 0.03),
    run('dpo+spo', 1, 0.5, 0.0), run('dpo+spo', 2, 0.59, 0.01), run('dpo+spo', 3, 0.56, 0.02)];
  const md = renderSummary(results(runs));
  assert.match(md, /\*\*SPO hurt\*\*/);
});

test('one seed: no test, and the summary says so instead of inventing one', () => {
  const md = renderSummary({ ...results([run('dpo', 1, 0.5, 0.01), run('dpo+spo', 1, 0.6, 0.02)]), seeds: [1] });
  assert.match(md, /Too few seeds for a paired test/);
  assert.match(md, /\| DPO \(γ = 0\) \| – \| 0 \| 1 \| 0\.500 \|/);
});

test('detectable difference is t_0.975(n−1) · sd / √n', () => {
  const runs = [run('dpo', 1, 0.5, 0), run('dpo', 2, 0.5, 0), run('dpo', 3, 0.5, 0),
    run('dpo+spo', 1, 0.51, 0), run('dpo+spo', 2, 0.49, 0), run('dpo+spo', 3, 0.5, 0)];
  const acc = compareWithBaseline(ARMS, runs).find((c) => c.metric === 'eval_reward_accuracy')!;
  // sd of (0.01, −0.01, 0) = 0.01; 4.3027 · 0.01 / √3 = 0.024841.
  assert.ok(Math.abs(detectableDifference(acc) - 0.024841) < 1e-5);
});

test('length diagnostic: accuracy of "shorter wins" and each arm\'s agreement with it', () => {
  // chosen shorter in pairs 0, 1; longer in 2; a tie in 3 (counts ½ for the rule, left out of agreement).
  const lengths = { chosen: [10, 20, 50, 7], rejected: [30, 25, 40, 7] };
  const a = run('dpo', 1, 0, 0);
  a.heldOutMargins = [0.2, 0.1, 0.3, -1]; // agrees on 0, 1; disagrees on 2
  const b = run('dpo', 2, 0, 0);
  b.heldOutMargins = [0.2, 0.1, -0.3, 1]; // agrees on all three
  const s = run('dpo+spo', 1, 0, 0);
  s.heldOutMargins = [-0.2, -0.1, 0.3, 1]; // agrees on none
  const d = lengthDiagnostic(lengths, ARMS, [a, b, s]);
  assert.equal(d.shorterIsChosen, 2.5 / 4);
  assert.ok(Math.abs(d.agreement[0].agreement - (2 / 3 + 1) / 2) < 1e-12);
  assert.equal(d.agreement[1].agreement, 0);
  const md = renderSummary({ ...results([a, b, s]), heldOutLengths: lengths });
  assert.match(md, /scores 0\.625 on the held-out pairs/);
  assert.match(md, /DPO \(γ = 0\) 0\.833, DPO\+SPO 0\.000/);
});

test('diagnostics: training tail means per arm against chance, and pair-by-pair similarity to DPO', () => {
  const a = run('dpo', 1, 0, 0);
  a.heldOutMargins = [1, 2, -1, -2];
  const s = run('dpo+spo', 1, 0, 0);
  s.heldOutMargins = [2, 4, -2, 1]; // same sign on 3 of 4
  const sim = armSimilarity([a, s]);
  assert.equal(sim.length, 1);
  assert.equal(sim[0].sameSign, 0.75);
  // numpy.corrcoef([1, 2, -1, -2], [2, 4, -2, 1]) = 0.7302967433402214.
  assert.ok(Math.abs(sim[0].correlation - 0.7302967433402214) < 1e-12);
  const md = renderSummary(results([a, s]));
  assert.match(md, /\| DPO\+SPO \| 1 \| 0\.750 \| 0\.730 \|/);
  // Tail means (not the last row) fill the training table; 1/K and ln K give the chance levels.
  assert.match(md, /\| DPO\+SPO \| 4 \| 0\.1 \| 0\.620 \| 0\.300 \| 0\.280 \| 0\.250 \| 1\.370 \| 1\.400 \| 1\.386 \| 0\.690 \| 0\.600 \|/);
  assert.match(md, /\| DPO \(γ = 0\) \| – \| 0 \| – \| – \| – \| – \| – \| – \| – \| 0\.680 \| – \|/);
});

test('signed numbers: a sign only when the rounded value is not zero', () => {
  assert.equal(fmtSigned(0.0123), '+0.012');
  assert.equal(fmtSigned(-0.0123), '-0.012');
  assert.equal(fmtSigned(-0.0004), '0.000');
  assert.equal(fmtSigned(0.0004), '0.000');
  assert.equal(fmtSigned(NaN), 'n/a');
});
