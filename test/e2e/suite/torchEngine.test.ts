// The torch engine in a real VS Code: Train SPO with engine torch on a tiny random Llama (made here with the
// engine's own fixture module, in the project Python environment), live curves, engine and device in the
// status bar, Stop → checkpoint, Resume → completed with every step logged once.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hhFile, openFile, spoExtension, takeScreenshot, waitFor } from '../helpers';
import { groupAlive } from '../../helpers/processes';
import { choosePython, pythonChildEnv } from '../../../src/core/engine/pythonLocation';

interface RunState {
  live: boolean; run: string | null; pid: number | null; engine: string | null; statusText: string; step: number;
  lastExit: { run: string | null; exit: { code: number | null; crashed: boolean; done: { reason: string; step: number } | null } } | null;
}
interface CurvesState { report: { runs: string[]; points: Record<string, number> } | null }
const runState = () => vscode.commands.executeCommand<RunState>('spo._test.getRunManagerState');
const curvesState = () => vscode.commands.executeCommand<CurvesState>('spo._test.getCurvesState');

describe('torch engine', function () {
  this.timeout(420000);
  let model: string;

  before(async () => {
    model = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-e2e-llama-'));
    execFileSync(choosePython().command, ['-m', 'spo_torch.fixtures', 'model', model], { env: pythonChildEnv(), stdio: 'ignore', timeout: 180000 });
    await openFile(hhFile());
    await waitFor(() => spoExtension().isActive, 20000, 'the extension to activate');
  });
  after(() => fs.rmSync(model, { recursive: true, force: true }));

  it('trains with the torch engine, shows engine and device, stops with a checkpoint and resumes to the end', async () => {
    const options = {
      data: hhFile(), model, engine: 'torch', max_steps: 1000, seed: 3,
      max_pairs: 16, max_length: 64, per_device_train_batch_size: 2, eval_steps: 0, save_steps: 0, write_degrees: true,
    };
    const started = await vscode.commands.executeCommand<{ run: string; runDir: string; pid: number }>('spo.train', options);
    assert.ok(started?.pid, 'Train SPO returned no process');
    await vscode.commands.executeCommand('spo.showCurves');
    const live = await waitFor(async () => { const s = await runState(); return s.live && s.step >= 2 ? s : null; }, 240000, 'two torch steps');
    assert.match(live!.engine ?? '', /^torch · cpu/, `engine label ${live!.engine}`);
    assert.match(live!.statusText, /SPO align \d+\/1000/);
    await waitFor(async () => {
      const s = await curvesState();
      return s.report && (s.report.points[`${started.run}/loss`] ?? 0) >= 2 ? s : null;
    }, 30000, 'the curves panel to draw the torch run');
    await takeScreenshot('torch-curves');

    await vscode.commands.executeCommand('spo.stopTraining');
    await waitFor(async () => !(await runState()).live, 180000, 'the torch run to stop');
    const stopped = (await runState()).lastExit!;
    assert.equal(stopped.exit.code, 0);
    assert.equal(stopped.exit.done?.reason, 'stopped');
    const at = stopped.exit.done!.step;
    assert.ok(at >= 2 && at < 1000, `stopped at ${at}`);
    assert.ok(fs.existsSync(path.join(started.runDir, 'checkpoints', `step-${at}`, 'trainer_state.json')), 'no checkpoint at the stop');
    assert.equal(groupAlive(started.pid), false, 'the trainer is still alive');

    // A budget the run cannot finish before Stop arrives (8 steps once did, on a quiet machine), then a resume to
    // a new, near budget: the resumed run picks up at the checkpoint and ends 'completed' there.
    const target = at + 3;
    await vscode.commands.executeCommand('spo.resumeTraining', { run: started.run, maxSteps: target });
    await waitFor(async () => { const s = await runState(); return s.lastExit && s.lastExit.exit.done?.reason === 'completed' ? s : null; }, 300000, 'the resumed run to complete');
    const events = fs.readFileSync(path.join(started.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = events.filter((e) => e.type === 'metrics' && e.row.loss !== undefined).map((e) => e.row.step);
    assert.deepEqual(steps, Array.from({ length: target }, (_, i) => i + 1));
    assert.ok(fs.existsSync(path.join(started.runDir, 'degrees.jsonl')), 'no degrees.jsonl');
    assert.ok(fs.existsSync(path.join(started.runDir, 'pairs.jsonl')), 'no pairs.jsonl');
  });
});
