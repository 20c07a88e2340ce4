// Training in a real VS Code: Train SPO (options argument) on the HH sample with the tiny preset, live curves in
// the panel, a completed run's checkpoint and degrees, a stopped run leaving no process behind, the panel
// restored from metrics.jsonl after closing it, and the degree views. Screenshots: curves.png, degrees.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hhFile, openFile, spoExtension, takeScreenshot, waitFor } from '../helpers';
import { isAlive } from '../../helpers/processes';

interface CurvesState {
  open: boolean;
  report: { runs: string[]; points: Record<string, number>; charts: number; alerts: unknown[] } | null;
}
interface RunManagerState {
  live: boolean;
  run: string | null;
  pid: number | null;
  lastExit: { run: string | null; exit: { code: number | null; crashed: boolean; done: { reason: string } | null } } | null;
}
interface DegreeState {
  open: string[];
  rendered: { mode: string; rows: number; histogramBins: number; hasModel: boolean } | null;
}

const curvesState = () => vscode.commands.executeCommand<CurvesState>('spo._test.getCurvesState');
const runState = () => vscode.commands.executeCommand<RunManagerState>('spo._test.getRunManagerState');
const degreeState = () => vscode.commands.executeCommand<DegreeState>('spo._test.getDegreeViewState');

/** A tiny-preset run small enough for CI: 24 pairs, a 1-layer model, 2 SFT steps. */
function trainOptions(maxSteps: number) {
  return {
    data: hhFile(), max_steps: maxSteps, seed: 7,
    max_pairs: 24, tiny_sft_steps: 2, tiny_vocab_size: 300, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, max_length: 48, tiny_context_length: 48, eval_steps: 2, save_steps: 2, per_device_train_batch_size: 4,
  };
}

describe('training', function () {
  this.timeout(240000);
  let completedRun: { run: string; runDir: string; pid: number };

  before(async () => {
    await openFile(hhFile());
    await waitFor(() => spoExtension().isActive, 20000, 'the extension to activate');
  });

  it('Train SPO runs the tiny preset and the curves panel draws its metrics live', async () => {
    // Runs an earlier suite left in the workspace (the torch engine's) are listed too; this test adds exactly one.
    const runsRoot = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.spo', 'runs');
    const earlier = fs.existsSync(runsRoot) ? fs.readdirSync(runsRoot).filter((n) => fs.existsSync(path.join(runsRoot, n, 'metrics.jsonl'))) : [];
    const started = await vscode.commands.executeCommand<{ run: string; runDir: string; pid: number }>('spo.train', trainOptions(6));
    assert.ok(started?.pid, 'Train SPO returned no process');
    completedRun = started;
    const live = await runState();
    assert.equal(live.live, true);
    assert.equal(live.pid, started.pid);
    await vscode.commands.executeCommand('spo.showCurves');
    const key = `${started.run}/loss`;
    const drawn = await waitFor(async () => {
      const s = await curvesState();
      return s.report && (s.report.points[key] ?? 0) >= 2 ? s : null;
    }, 150000, `the curves panel to draw 2 loss points of ${started.run}`);
    assert.ok(drawn!.report!.charts >= 8, `only ${drawn!.report!.charts} charts drawn`);
    for (const metric of ['loss/align', 'rewards/chosen', 'rewards/margins', 'learning_rate']) {
      assert.ok((drawn!.report!.points[`${started.run}/${metric}`] ?? 0) >= 1, `no ${metric} points`);
    }
    await waitFor(async () => !(await runState()).live, 150000, 'the run to finish');
    const final = await waitFor(async () => {
      const s = await curvesState();
      return s.report && (s.report.points[key] ?? 0) === 6 && (s.report.points[`${started.run}/eval/loss`] ?? 0) >= 1 ? s : null;
    }, 10000, 'all 6 train points and the eval points');
    const listed = final!.report!.runs;
    assert.ok(listed.includes(started.run), `the panel lists ${listed.join(', ')}, not ${started.run}`);
    assert.deepEqual(listed.filter((r) => r !== started.run && !earlier.includes(r)), [], 'the panel lists a run nobody started');
    await takeScreenshot('curves');
    const ended = (await runState()).lastExit!;
    assert.equal(ended.exit.code, 0);
    assert.equal(ended.exit.done?.reason, 'completed');
    assert.equal(isAlive(started.pid), false, 'the trainer process is still alive');
    assert.ok(fs.existsSync(path.join(started.runDir, 'checkpoints', 'step-6', 'model.safetensors')), 'no final checkpoint');
    assert.ok(fs.existsSync(path.join(started.runDir, 'degrees.jsonl')), 'no degrees.jsonl');
  });

  it('Stop Training ends a live run: no process left, a checkpoint on disk', async () => {
    const started = await vscode.commands.executeCommand<{ run: string; runDir: string; pid: number }>('spo.train', trainOptions(1000));
    assert.ok(started?.pid);
    await waitFor(async () => {
      const s = await curvesState();
      return s.report && (s.report.points[`${started.run}/loss`] ?? 0) >= 3;
    }, 150000, 'three logged steps of the second run');
    await takeScreenshot('training-live'); // progress notification, status-bar item, two runs compared
    const exit = await vscode.commands.executeCommand<{ crashed: boolean; code: number | null; stoppedBy: string; done: { reason: string } | null }>('spo.stopTraining');
    assert.equal(exit?.crashed, false);
    assert.equal(exit?.code, 0, 'the trainer should save a checkpoint and exit 0 on the stop message');
    assert.equal(exit?.stoppedBy, 'stop-message');
    assert.equal(exit?.done?.reason, 'stopped');
    assert.equal(isAlive(started.pid), false, 'the trainer process is still alive after Stop Training');
    assert.equal((await runState()).live, false);
    const checkpoints = fs.readdirSync(path.join(started.runDir, 'checkpoints')).filter((n) => /^step-\d+$/.test(n));
    assert.ok(checkpoints.length >= 1, 'no checkpoint after stopping');
  });

  it('closing and reopening the panel restores the runs from metrics.jsonl', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor(async () => !(await curvesState()).open, 10000, 'the panel to close');
    await vscode.commands.executeCommand('spo.showCurves', { run: completedRun.run });
    const restored = await waitFor(async () => {
      const s = await curvesState();
      return s.open && s.report && s.report.runs.includes(completedRun.run) && (s.report.points[`${completedRun.run}/loss`] ?? 0) === 6 ? s : null;
    }, 20000, 'the reopened panel to draw the completed run from disk');
    const rows = fs.readFileSync(path.join(completedRun.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as { type: string; row?: Record<string, number> })
      .filter((e) => e.type === 'metrics' && e.row && 'eval/loss' in e.row);
    assert.equal(restored!.report!.points[`${completedRun.run}/eval/loss`], rows.length);
  });

  it('a diverging run is reported as failed and its NaN alert shows in the panel', async () => {
    const options = trainOptions(6);
    const started = await vscode.commands.executeCommand<{ run: string; runDir: string; pid: number }>('spo.train',
      { ...options, learning_rate: 1e12, warmup_steps: 0 });
    assert.ok(started?.pid);
    await waitFor(async () => (await runState()).lastExit?.run === started.run, 120000, 'the diverging run to end');
    const ended = (await runState()).lastExit!;
    assert.equal(ended.exit.crashed, true);
    assert.equal(ended.exit.code, 1);
    assert.equal(ended.exit.done?.reason, 'failed');
    await vscode.commands.executeCommand('spo.showCurves', { run: started.run });
    const shown = await waitFor(async () => {
      const s = await curvesState();
      const alerts = (s.report?.alerts ?? []) as Array<{ run: string; code: string }>;
      return alerts.some((a) => a.run === started.run && a.code === 'nan') ? s : null;
    }, 20000, 'the NaN alert in the curves panel');
    assert.ok(shown!.report!.runs.includes(started.run));
    await takeScreenshot('curves-alert');
  });

  it('Inspect Preference Degree and the dataset view show data and model degrees', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await openFile(hhFile());
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    await vscode.commands.executeCommand('spo.showDatasetDegrees', { uri: editor.document.uri });
    const dataset = await waitFor(async () => {
      const s = await degreeState();
      return s.rendered?.mode === 'dataset' ? s.rendered : null;
    }, 60000, 'the dataset degree view');
    assert.equal(dataset!.hasModel, true, 'the dataset view has no model margins from the finished run');
    assert.ok(dataset!.rows >= 24 && dataset!.histogramBins === 40, JSON.stringify(dataset!));
    await takeScreenshot('degrees-dataset');
    await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('spo.inspectDegree', { uri: editor.document.uri, line: 3 });
    const example = await waitFor(async () => {
      const s = await degreeState();
      return s.rendered?.mode === 'example' ? s.rendered : null;
    }, 20000, 'the example degree view');
    assert.equal(example!.rows, 1, 'no data degree for line 3');
    assert.equal(example!.hasModel, true, 'no model degree for line 3');
    await takeScreenshot('degrees');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(2, 1));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    // One degree format everywhere (formatDegree: three decimals, '+' for positive values), one hover.
    assert.match(text, /Preference degree: data degree \*\*[+-]?\d\.\d{3}\*\* · model margin \*\*[+-]?\d\.\d{3}\*\*/, text);
    assert.match(text, /command:spo\.inspectDegree\?/);
    assert.equal(text.match(/data degree/gi)?.length, 1, `one hover prints the data degree once: ${text}`);
  });
});
