// The SPO vs DPO experiment and Resume Training in a real VS Code: Run SPO vs DPO Experiment (options argument)
// on a tiny budget writes results.json for both arms, opens summary.md in the Markdown preview and the arms in the
// curves panel; a cancelled experiment leaves no process; a stopped run is resumed in place to completion.
// Screenshots: experiment.png, resumed.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hhFile, openFile, spoExtension, takeScreenshot, waitFor } from '../helpers';
import { groupAlive } from '../../helpers/processes';

interface CurvesState {
  open: boolean;
  report: { runs: string[]; points: Record<string, number>; charts: number; view: { selected: string[] } } | null;
}
interface ExperimentState {
  live: boolean;
  name: string | null;
  pid: number | null;
  progress: { arm: string | null; armsDone: number; armsTotal: number } | null;
  lastEnded: { name: string; outDir: string; code: number | null; cancelled: boolean; runs: string[]; resultsFile: string | null; summaryFile: string | null } | null;
}
interface RunManagerState {
  live: boolean;
  run: string | null;
  resumed: boolean;
  step: number;
  lastExit: { run: string | null; exit: { code: number | null; crashed: boolean; done: { reason: string; step: number } | null } } | null;
}
interface Started { run: string; runDir: string; pid: number }

const curvesState = () => vscode.commands.executeCommand<CurvesState>('spo._test.getCurvesState');
const experimentState = () => vscode.commands.executeCommand<ExperimentState>('spo._test.getExperimentState');
const runState = () => vscode.commands.executeCommand<RunManagerState>('spo._test.getRunManagerState');

/** Leave no panel behind: the suites after this one expect a fresh curves panel. */
async function closeEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await waitFor(async () => !(await curvesState()).open, 10000, 'the curves panel to close');
}

/** The tiny preset at its smallest: 1 layer of 16 dims, 48 tokens, 2 SFT steps. */
const TINY = { tiny_vocab_size: 300, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, tiny_context_length: 48, tiny_sft_steps: 2, max_length: 48, per_device_train_batch_size: 4 };

function trainSteps(runDir: string): number[] {
  return fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { type: string; row?: Record<string, number> })
    .filter((e) => e.type === 'metrics' && e.row && 'loss' in e.row)
    .map((e) => e.row!.step);
}

describe('experiment', function () {
  this.timeout(240000);

  before(async () => {
    await openFile(hhFile());
    await waitFor(() => spoExtension().isActive, 20000, 'the extension to activate');
  });
  after(closeEditors);

  it('Run SPO vs DPO Experiment trains both arms per seed, opens summary.md and the arms in the curves panel', async () => {
    const name = 'e2e-spo-vs-dpo';
    const started = await vscode.commands.executeCommand<{ name: string; outDir: string; pid: number }>('spo.runExperiment',
      { data: hhFile(), seeds: 2, max_steps: 3, max_pairs: 48, name, overrides: TINY });
    assert.ok(started?.pid, 'the command returned no process');
    assert.equal(started.outDir, path.join(path.dirname(hhFile()), '.spo', 'experiments', name));
    assert.equal((await experimentState()).live, true);
    const ended = await waitFor(async () => {
      const s = await experimentState();
      return s.lastEnded?.name === name ? s.lastEnded : null;
    }, 180000, 'the experiment to finish');
    assert.equal(ended!.code, 0);
    assert.equal(ended!.cancelled, false);
    assert.equal(groupAlive(started.pid), false, 'a process of the experiment is still alive');

    const results = JSON.parse(fs.readFileSync(path.join(started.outDir, 'results.json'), 'utf8')) as {
      summaries: Array<{ arm: string; n: number }>; runs: Array<{ arm: string; seed: number }>;
    };
    assert.deepEqual(results.summaries.map((s) => [s.arm, s.n]), [['dpo', 2], ['dpo+spo', 2]]);
    assert.equal(results.runs.length, 4);
    const runs = [`${name}/seed-1/dpo`, `${name}/seed-1/dpo-spo`, `${name}/seed-2/dpo`, `${name}/seed-2/dpo-spo`];
    assert.deepEqual(ended!.runs, runs);

    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    // The preview's tab appears once the Markdown extension has created its webview.
    const summaryTab = (await waitFor(() => tabs().find((t) => /summary\.md/.test(t.label)), 15000,
      'a summary.md tab (the Markdown preview)'))!;
    assert.ok(summaryTab.input instanceof vscode.TabInputWebview && /markdown/i.test(summaryTab.input.viewType), `summary.md is not in the Markdown preview (${summaryTab.label})`);

    const drawn = await waitFor(async () => {
      const s = await curvesState();
      return s.report && runs.every((r) => (s.report!.points[`${r}/loss`] ?? 0) === 3) ? s : null;
    }, 30000, 'the curves panel to draw the 4 arm runs');
    assert.deepEqual(drawn!.report!.runs, runs);
    assert.ok((drawn!.report!.points[`${name}/seed-1/dpo-spo/loss/spo_pref`] ?? 0) >= 1, 'no SPO loss curve for the dpo-spo arm');
    await new Promise((r) => setTimeout(r, 2500)); // the Markdown preview renders asynchronously
    await takeScreenshot('experiment');
  });

  it('takes its budget under the training spec\'s names: an option named as before (steps) is refused and nothing starts', async () => {
    const name = 'e2e-old-option';
    const started = await vscode.commands.executeCommand('spo.runExperiment', { data: hhFile(), seeds: 1, steps: 3, name, overrides: TINY });
    assert.equal(started, undefined, 'the command started an experiment from an option it does not know');
    assert.equal((await experimentState()).live, false);
    assert.equal(fs.existsSync(path.join(path.dirname(hhFile()), '.spo', 'experiments', name)), false);
  });

  it('cancelling a running experiment ends its whole process group', async () => {
    const name = 'e2e-cancelled';
    const started = await vscode.commands.executeCommand<{ name: string; pid: number }>('spo.runExperiment',
      { data: hhFile(), seeds: 2, max_steps: 5000, max_pairs: 48, name, overrides: TINY, openResults: false });
    assert.ok(started?.pid);
    await waitFor(async () => (await experimentState()).progress?.arm === 'dpo', 120000, 'the first arm to start training');
    await vscode.commands.executeCommand('spo._test.cancelExperiment');
    const ended = await waitFor(async () => {
      const s = await experimentState();
      return s.lastEnded?.name === name ? s.lastEnded : null;
    }, 30000, 'the cancelled experiment to end');
    assert.equal(ended!.cancelled, true);
    assert.equal(ended!.resultsFile, null);
    await waitFor(() => !groupAlive(started.pid), 10000, 'every process of the experiment to exit');
  });
});

describe('resume training', function () {
  this.timeout(240000);

  before(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openFile(hhFile());
    await waitFor(() => spoExtension().isActive, 20000, 'the extension to activate');
  });
  after(closeEditors);

  it('Resume Training continues a stopped run in the same folder to its new step budget', async () => {
    const started = await vscode.commands.executeCommand<Started>('spo.train', {
      data: hhFile(), max_steps: 1000, seed: 3,
      ...TINY, max_pairs: 24, eval_steps: 0, save_steps: 0,
    });
    assert.ok(started?.pid);
    await waitFor(async () => (await runState()).step >= 2, 150000, 'two logged steps');
    const exit = await vscode.commands.executeCommand<{ code: number | null; done: { reason: string; step: number } | null }>('spo.stopTraining');
    assert.equal(exit?.done?.reason, 'stopped');
    const stoppedAt = exit!.done!.step;
    assert.ok(fs.existsSync(path.join(started.runDir, 'checkpoints', `step-${stoppedAt}`, 'trainer_state.json')), `no checkpoint at step ${stoppedAt}`);

    const target = stoppedAt + 3;
    const resumed = await vscode.commands.executeCommand<Started>('spo.resumeTraining', { run: started.run, maxSteps: target });
    assert.ok(resumed?.pid, 'Resume Training returned no process');
    assert.equal(resumed.runDir, started.runDir);
    assert.notEqual(resumed.pid, started.pid);
    const live = await runState();
    assert.equal(live.run, started.run);
    assert.equal(live.resumed, true);
    await waitFor(async () => !(await runState()).live, 150000, 'the resumed run to finish');
    const ended = (await runState()).lastExit!;
    assert.equal(ended.run, started.run);
    assert.equal(ended.exit.code, 0);
    assert.equal(ended.exit.done?.reason, 'completed');
    assert.equal(ended.exit.done?.step, target);

    const steps = trainSteps(started.runDir);
    assert.equal(Math.max(...steps), target);
    for (let s = stoppedAt + 1; s <= target; s++) assert.ok(steps.includes(s), `step ${s} missing from metrics.jsonl`);
    assert.deepEqual(fs.readdirSync(path.dirname(started.runDir)).filter((n) => n === started.run), [started.run]);

    // The panel draws the continued run as one curve: every step once, the resumed ones included.
    await vscode.commands.executeCommand('spo.showCurves', { run: started.run });
    await waitFor(async () => {
      const s = await curvesState();
      return s.report && s.report.points[`${started.run}/loss`] === target ? s : null;
    }, 20000, `the curves panel to draw ${target} loss points of the resumed run`);
    await takeScreenshot('resumed');
  });
});
