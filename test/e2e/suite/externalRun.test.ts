// A run trained from a terminal, not by the extension: `spo train --out .spo/runs/external-1` spawned outside
// the run manager. The open curves panel discovers its folder, shows it as running, grows its curves live
// from metrics.jsonl, and ends with it completed. Screenshot: curves-external.png.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hhFile, spoExtension, takeScreenshot, waitFor, workspaceDir } from '../helpers';

interface CurvesState {
  open: boolean;
  report: { runs: string[]; points: Record<string, number>; statuses: Record<string, string>; available: string[] } | null;
}
const curvesState = () => vscode.commands.executeCommand<CurvesState>('spo._test.getCurvesState');

const RUN = 'external-1';
/** The tiny run takes ~30 ms a step here: enough steps that it is still training when the panel draws it. */
const MAX_STEPS = 900;

/** The tiny preset shrunk as in training.test.ts: 24 pairs, a 1-layer model, 2 SFT steps (bin/spo.js, as a terminal would run it). */
function trainArgs(data: string, out: string): string[] {
  const sets = { max_pairs: 24, tiny_sft_steps: 2, tiny_vocab_size: 300, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2,
    max_length: 48, tiny_context_length: 48, eval_steps: 100, save_steps: 300 };
  return ['train', '--data', data, '--preset', 'tiny', '--max-steps', String(MAX_STEPS), '--batch-size', '4', '--seed', '7',
    ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]), '--out', out];
}

describe('external run in the curves panel', function () {
  this.timeout(240000);
  let trainer: ChildProcess | null = null;
  let trainerLog = '';

  after(async () => {
    if (trainer && trainer.exitCode === null && trainer.signalCode === null) trainer.kill('SIGKILL');
    // Leave no trace for later suites: the panel closed, and no newer run trained on the HH file (the degree hover picks the newest).
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(workspaceDir(), '.spo', 'runs', RUN), { recursive: true, force: true });
  });

  it('follows a run started from a terminal: discovered, running, growing live, then completed', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor(async () => !(await curvesState()).open, 10000, 'any curves panel to close');
    await vscode.commands.executeCommand('spo.showCurves');
    await waitFor(async () => (await curvesState()).report, 20000, 'the panel to draw');

    const runDir = path.join(workspaceDir(), '.spo', 'runs', RUN);
    fs.rmSync(runDir, { recursive: true, force: true });
    const cli = path.join(spoExtension().extensionPath, 'bin', 'spo.js');
    trainer = spawn(process.execPath, [cli, ...trainArgs(hhFile(), runDir)], {
      cwd: workspaceDir(), env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    trainer.stdout?.on('data', (d: Buffer) => { trainerLog += d.toString(); });
    trainer.stderr?.on('data', (d: Buffer) => { trainerLog += d.toString(); });
    const exited = new Promise<number | null>((resolve) => trainer!.on('exit', (code) => resolve(code)));

    // The open panel lists the new folder without being reopened.
    await waitFor(async () => (await curvesState()).report?.available.includes(RUN), 60000, `${RUN} in the run picker (trainer output: ${trainerLog.slice(-2000)})`);

    // Show Training Curves on a fresh panel picks the run that is training.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor(async () => !(await curvesState()).open, 10000, 'the panel to close');
    await vscode.commands.executeCommand('spo.showCurves');
    const key = `${RUN}/loss`;
    const first = await waitFor(async () => {
      const s = await curvesState();
      return s.report?.runs[0] === RUN && s.report.statuses[RUN] === 'running' && (s.report.points[key] ?? 0) >= 1 ? s.report : null;
    }, 120000, `${RUN} drawn as running with a loss point (trainer output: ${trainerLog.slice(-2000)})`);
    assert.deepEqual(first!.runs, [RUN], 'the newest training run is the default selection');
    const seen = first!.points[key];
    assert.ok(seen < MAX_STEPS, `the run had already logged all ${MAX_STEPS} steps when first drawn`);
    const grown = await waitFor(async () => {
      const s = await curvesState();
      return (s.report?.points[key] ?? 0) > seen ? s.report : null;
    }, 120000, `more than ${seen} loss points of ${RUN} without reopening the panel`);
    assert.ok(grown!.points[key] > seen);
    await takeScreenshot('curves-external'); // mid-run: the chip says running, the curves partly drawn

    assert.equal(await exited, 0, `the trainer failed: ${trainerLog.slice(-2000)}`);
    const done = await waitFor(async () => {
      const s = await curvesState();
      return s.report?.statuses[RUN] === 'completed' && s.report.points[key] === MAX_STEPS ? s.report : null;
    }, 20000, `${RUN} shown completed with ${MAX_STEPS} loss points`).catch(async (err: Error) => {
      const r = (await curvesState()).report;
      throw new Error(`${err.message}; the panel shows ${JSON.stringify({ status: r?.statuses[RUN], loss: r?.points[key] })}`);
    });
    assert.ok((done!.points[`${RUN}/eval/loss`] ?? 0) >= 1, 'no eval points');
    await takeScreenshot('curves-external-done');
  });
});
