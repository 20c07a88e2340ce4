// The experiment CLI's --progress-json lines folded into seed / arm / stage / step / share done.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { EXPERIMENT_PROGRESS_PREFIX, ExperimentProgressEvent, formatProgressLine, parseProgressLine } from '../../../src/core/protocol';
import {
  applyProgressLine, describeProgress, experimentArgs, experimentArmCount, experimentFraction, initialProgress,
  checkExperimentName, newExperimentName,
} from '../../../src/core/runs';

describe('experiment --progress-json lines', () => {
  const at = (over: Partial<ExperimentProgressEvent>): ExperimentProgressEvent =>
    ({ seed: 2, seedIndex: 1, seeds: 2, arm: 'dpo+spo γ=0.5', stage: 'arm', phase: 'training', runsDone: 0, runsTotal: 4, ...over });

  it('round-trips an event and rejects other or malformed lines', () => {
    const e = at({ step: 40, steps: 200, runsDone: 1 });
    const line = formatProgressLine(e);
    assert.ok(line.startsWith(EXPERIMENT_PROGRESS_PREFIX));
    assert.ok(!line.includes('\n'));
    assert.deepEqual(parseProgressLine(line), e);
    assert.equal(parseProgressLine('[seed 1 1/2] dpo step 1/3'), null, 'a human line is not a progress line');
    assert.equal(parseProgressLine(`${EXPERIMENT_PROGRESS_PREFIX}{"seed":1`), null, 'torn JSON');
    assert.equal(parseProgressLine(`${EXPERIMENT_PROGRESS_PREFIX}null`), null);
    assert.equal(parseProgressLine(formatProgressLine(at({ phase: 'finished' as 'done' }))), null, 'unknown phase');
    assert.equal(parseProgressLine(formatProgressLine(at({ runsDone: -1 }))), null, 'negative count');
    assert.equal(parseProgressLine(formatProgressLine(at({ step: 1.5, steps: 3 }))), null, 'fractional step');
    assert.equal(parseProgressLine(` ${line}`), null, 'the prefix starts the line');
  });

  it('folds events into progress: the CLI counts runs, the reference stage counts as none', () => {
    let p = initialProgress(2, 2);
    const seen: number[] = [];
    const feed = (line: string) => {
      p = applyProgressLine(p, line);
      seen.push(experimentFraction(p));
    };
    feed(formatProgressLine(at({ seed: 1, arm: 'reference', stage: 'reference' })));
    assert.equal(p.arm, 'reference');
    assert.equal(p.stage, 'reference');
    assert.equal(experimentFraction(p), 0, 'the reference stage is no arm run');
    const before = p;
    feed('[seed 1 1/2] dpo step 3/3, ~0 s left'); // human lines leave the progress alone
    assert.equal(p, before);
    feed(formatProgressLine(at({ seed: 1, arm: 'reference', stage: 'reference', phase: 'done' })));
    feed(formatProgressLine(at({ seed: 1, arm: 'dpo', step: 0, steps: 3 })));
    feed(formatProgressLine(at({ seed: 1, arm: 'dpo', step: 2, steps: 3 })));
    assert.equal(experimentFraction(p), (2 / 3) / 4);
    assert.equal(describeProgress(p), 'seed 1 (1/2) · dpo · step 2/3 · 0/4 runs done');
    feed(formatProgressLine(at({ seed: 1, arm: 'dpo', phase: 'done', runsDone: 1 })));
    assert.equal(p.armsDone, 1);
    assert.equal(p.totalSteps, null);
    feed(formatProgressLine(at({ seed: 2, seedIndex: 2, arm: 'dpo+spo', step: 1, steps: 4, runsDone: 3 })));
    assert.equal(describeProgress(p), 'seed 2 (2/2) · dpo+spo · step 1/4 · 3/4 runs done');
    assert.equal(experimentFraction(p), (3 + 0.25) / 4);
    feed(formatProgressLine(at({ seed: 2, seedIndex: 2, arm: 'dpo+spo', phase: 'done', runsDone: 4 })));
    assert.equal(experimentFraction(p), 1);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `fraction fell at event ${i}: ${seen.join(',')}`);
  });
});

describe('experiment request', () => {
  it('builds the CLI command line', () => {
    assert.deepEqual(experimentArgs({ data: '/d/hh.jsonl', outDir: '/w/.spo/experiments/e1', seeds: 2, max_steps: 3, sweep: { key: 'gamma', values: [0.01, 0.1] }, max_pairs: 48, overrides: { tiny_d_model: 16, skip: null } }),
      ['spo-vs-dpo', '--data', '/d/hh.jsonl', '--out', '/w/.spo/experiments/e1', '--seeds', '2', '--max-steps', '3', '--sweep', 'gamma=0.01,0.1', '--max-pairs', '48', '--set', 'tiny_d_model=16']);
    assert.deepEqual(experimentArgs({ data: 'a', outDir: 'b', seeds: 3, max_steps: null, sweep: null, model: '/m' }), ['spo-vs-dpo', '--data', 'a', '--out', 'b', '--seeds', '3', '--model', '/m']);
    assert.equal(experimentArmCount({ sweep: null }), 2);
    assert.equal(experimentArmCount({ sweep: { key: 'classes', values: [2, 3, 4, 6] } }), 5);
  });

  it('names experiments by time and rejects names that are not one folder', () => {
    const t = new Date('2026-11-27T01:02:03Z');
    assert.equal(newExperimentName(t, null), 'spo-vs-dpo-20261127-010203');
    assert.equal(newExperimentName(t, 'classes'), 'spo-vs-dpo-classes-20261127-010203');
    assert.equal(checkExperimentName('mine'), null);
    assert.match(checkExperimentName('../x') ?? '', /one folder name/);
    assert.match(checkExperimentName('a/b') ?? '', /one folder name/);
    assert.match(checkExperimentName(' ') ?? '', /empty/);
  });
});
