// CliProcess with the real experiment CLI (out/src/cli/main.js) on a slice of the HH sample: a tiny
// SPO vs DPO experiment runs to its results, its runs get curves-panel names; a cancel leaves no process.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  applyProgressLine, CliProcess, curveRunDir, experimentArgs, experimentHeadline, ExperimentRequest, initialProgress,
  listCurveRunsAsync, listExperimentRunsAsync,
} from '../../../src/core/runs';
import { HH_SAMPLE, REPO_ROOT } from '../../helpers/paths';
import { groupAlive } from '../../helpers/processes';

const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli', 'main.js');
const TINY = { tiny_vocab_size: 300, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, tiny_context_length: 48, tiny_sft_steps: 2, max_length: 48, per_device_train_batch_size: 4, backend: 'wasm' };

function request(outDir: string, maxSteps: number): ExperimentRequest {
  return { data: HH_SAMPLE, outDir, seeds: 2, max_steps: maxSteps, sweep: null, max_pairs: 40, overrides: TINY };
}

describe('CliProcess with the real experiment CLI', () => {
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-cli-proc-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('runs a tiny experiment to results.json; progress lines and run names follow it', async () => {
    const experiments = path.join(tmp, 'experiments');
    const outDir = path.join(experiments, 'exp-a');
    const proc = CliProcess.start({ entry: CLI, args: ['experiment', ...experimentArgs(request(outDir, 2)), '--progress-json'] });
    let progress = initialProgress(2, 2);
    const lines: string[] = [];
    proc.onLine(({ line }) => {
      lines.push(line);
      progress = applyProgressLine(progress, line);
    });
    const exit = await proc.exited;
    assert.equal(exit.code, 0, exit.lastLines.join('\n'));
    assert.equal(exit.cancelled, false);
    assert.equal(progress.armsDone, 4, lines.join('\n'));
    assert.equal(progress.seed, 2);
    const { runs, truncated } = await listExperimentRunsAsync(outDir);
    assert.equal(truncated, false);
    assert.deepEqual(runs.map((r) => r.name), ['exp-a/seed-1/dpo', 'exp-a/seed-1/dpo-spo', 'exp-a/seed-2/dpo', 'exp-a/seed-2/dpo-spo']);
    for (const r of runs) assert.equal(curveRunDir(r.name, null, experiments), r.dir);
    assert.deepEqual((await listCurveRunsAsync(path.join(tmp, 'no-runs'), experiments)).runs.map((r) => r.name), runs.map((r) => r.name));
    assert.match((await experimentHeadline(outDir)) ?? '', /^dpo 0\.\d{3} ± 0\.\d{3} · dpo\+spo 0\.\d{3} ± 0\.\d{3}$/);
    assert.ok(fs.existsSync(path.join(outDir, 'summary.md')));
    assert.equal(groupAlive(proc.pid!), false);
  });

  it('cancel ends the CLI and the jobs it forked (the whole process group)', async () => {
    const outDir = path.join(tmp, 'experiments', 'exp-b');
    const proc = CliProcess.start({ entry: CLI, args: ['experiment', ...experimentArgs(request(outDir, 5000))], termGraceMs: 2000 });
    // Cancel once an arm job (a forked training process) is running.
    await new Promise<void>((resolve) => proc.onLine(({ line }) => { if (/\] dpo: training/.test(line)) resolve(); }));
    assert.equal(groupAlive(proc.pid!), true);
    const exit = await proc.cancel();
    assert.equal(exit.cancelled, true);
    assert.notEqual(exit.code, 0);
    for (let i = 0; i < 50 && groupAlive(proc.pid!); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(groupAlive(proc.pid!), false, 'a process of the experiment is still alive after cancel');
    assert.equal(fs.existsSync(path.join(outDir, 'results.json')), false);
  });

  it('names: plain runs stay in the runs directory, experiment names cannot escape', () => {
    assert.equal(curveRunDir('20261127-000001', '/w/.spo/runs', '/w/.spo/experiments'), path.join('/w/.spo/runs', '20261127-000001'));
    assert.equal(curveRunDir('e/seed-1/dpo', '/w/.spo/runs', '/w/.spo/experiments'), path.join('/w/.spo/experiments', 'e', 'runs', 'seed-1', 'dpo'));
    assert.equal(curveRunDir('e/../../x', '/w/r', '/w/e'), null);
    assert.equal(curveRunDir('..', '/w/r', '/w/e'), null);
    assert.equal(curveRunDir('e/seed-1/dpo', '/w/r', null), null);
  });
});
