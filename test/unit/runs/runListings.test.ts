// The curves panel's run listings (issue 13 §2): experiment arm runs named `<experiment>/seed-N/arm`, plain runs
// newest first, and the work of one listing bounded, so a shipped `.spo/runs` of 100,000 folders cannot make
// every poll read 100,000 config.json files.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  curveRunDir, listAllExperimentRunsAsync, listCurveRunsAsync, listExperimentRunsAsync, listRunsAsync, MAX_EXAMINED_FOLDERS, MAX_LISTED_RUNS,
} from '../../../src/core/runs';

function makeRun(dir: string, files: Record<string, string> = { 'metrics.jsonl': '' }): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

/** `20261127-000001`-style names, in time order for i = 1, 2, ... */
const runName = (i: number) => `20261127-${String(i).padStart(6, '0')}`;

describe('experiment run listings', () => {
  let experiments: string;
  before(() => {
    experiments = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-exp-list-'));
    for (const exp of ['20261126-090000', '20261127-100000']) {
      for (const seed of ['seed-1', 'seed-2']) for (const arm of ['dpo', 'dpo-spo']) makeRun(path.join(experiments, exp, 'runs', seed, arm));
      makeRun(path.join(experiments, exp, 'runs', 'reference')); // the shared SFT reference: not an arm
      makeRun(path.join(experiments, exp, 'runs', 'data'));
      fs.mkdirSync(path.join(experiments, exp, 'runs', 'seed-1', 'empty'), { recursive: true }); // no metrics.jsonl: not a run
    }
    makeRun(path.join(experiments, '20261127-100000', 'runs', 'seed-1', 'dpo'), { 'metrics.jsonl': '', 'config.json': '{"data":"d.jsonl"}', 'degrees.jsonl': '' });
  });
  after(() => fs.rmSync(experiments, { recursive: true, force: true }));

  it('names the arm runs of one experiment by their path under runs, seeds and arms in order', async () => {
    const exp = path.join(experiments, '20261127-100000');
    const { runs, truncated } = await listExperimentRunsAsync(exp);
    assert.equal(truncated, false);
    assert.deepEqual(runs.map((r) => r.name), ['20261127-100000/seed-1/dpo', '20261127-100000/seed-1/dpo-spo', '20261127-100000/seed-2/dpo', '20261127-100000/seed-2/dpo-spo']);
    const dir = path.join(exp, 'runs', 'seed-1', 'dpo');
    assert.deepEqual(runs[0], { name: '20261127-100000/seed-1/dpo', dir, metricsFile: path.join(dir, 'metrics.jsonl'), config: { data: 'd.jsonl' }, hasDegrees: true });
    for (const r of runs) assert.equal(curveRunDir(r.name, null, experiments), r.dir);
  });

  it('lists every experiment newest first, after the plain runs in the curves list', async () => {
    const all = await listAllExperimentRunsAsync(experiments);
    assert.deepEqual(all.runs.map((r) => r.name.split('/')[0]), [...Array(4).fill('20261127-100000'), ...Array(4).fill('20261126-090000')]);
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-plain-runs-'));
    try {
      makeRun(path.join(runsDir, runName(1)));
      const curves = await listCurveRunsAsync(runsDir, experiments);
      assert.deepEqual(curves.runs.map((r) => r.name), [runName(1), ...all.runs.map((r) => r.name)]);
      assert.deepEqual(curves.truncated, []);
      assert.deepEqual(await listCurveRunsAsync(null, null), { runs: [], truncated: [] });
      assert.deepEqual(await listAllExperimentRunsAsync(path.join(experiments, 'missing')), { runs: [], truncated: false });
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });
});

describe('the caps on one listing', () => {
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-list-caps-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it(`a runs folder of ${MAX_LISTED_RUNS} + 5 runs lists the newest ${MAX_LISTED_RUNS} and says it was cut`, { timeout: 60_000 }, async () => {
    const runsDir = path.join(tmp, 'runs');
    for (let i = 1; i <= MAX_LISTED_RUNS + 5; i++) makeRun(path.join(runsDir, runName(i)), { 'config.json': '{}' });
    const listing = await listRunsAsync(runsDir);
    assert.equal(listing.truncated, true);
    assert.equal(listing.runs.length, MAX_LISTED_RUNS);
    assert.equal(listing.runs[0].name, runName(MAX_LISTED_RUNS + 5), 'newest first');
    assert.equal(listing.runs.at(-1)!.name, runName(6), 'the 5 oldest are the ones left out');
    assert.deepEqual((await listCurveRunsAsync(runsDir, null)).truncated, [runsDir]);
    // Exactly at the cap nothing is left out, so nothing is reported.
    for (let i = 1; i <= 5; i++) fs.rmSync(path.join(runsDir, runName(i)), { recursive: true });
    const full = await listRunsAsync(runsDir);
    assert.deepEqual([full.runs.length, full.truncated], [MAX_LISTED_RUNS, false]);
  });

  it(`folders that are not runs count too: past ${MAX_EXAMINED_FOLDERS} looked at, the listing stops`, { timeout: 60_000 }, async () => {
    const runsDir = path.join(tmp, 'mostly-empty');
    makeRun(path.join(runsDir, runName(1))); // the oldest name: looked at last
    for (let i = 2; i <= MAX_EXAMINED_FOLDERS + 5; i++) fs.mkdirSync(path.join(runsDir, runName(i)), { recursive: true });
    assert.deepEqual(await listRunsAsync(runsDir), { runs: [], truncated: true });
  });

  it(`experiment runs stop at ${MAX_LISTED_RUNS} as well`, { timeout: 60_000 }, async () => {
    const experiments = path.join(tmp, 'experiments');
    for (let seed = 1; seed <= MAX_LISTED_RUNS + 5; seed++) makeRun(path.join(experiments, 'exp', 'runs', `seed-${seed}`, 'dpo'));
    const all = await listAllExperimentRunsAsync(experiments);
    assert.deepEqual([all.runs.length, all.truncated], [MAX_LISTED_RUNS, true]);
    assert.equal((await listExperimentRunsAsync(path.join(experiments, 'exp'))).runs.length, MAX_LISTED_RUNS);
    assert.deepEqual((await listCurveRunsAsync(null, experiments)).truncated, [experiments]);
  });
});
