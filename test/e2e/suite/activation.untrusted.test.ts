// In an untrusted workspace (Restricted Mode) the extension still activates on a preference file, since it declares
// limited support: inspecting data is safe, only training needs trust.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hhFile, openFile, spoExtension, takeScreenshot, waitFor, workspaceDir } from '../helpers';

describe('activation in an untrusted workspace', () => {
  it('runs with workspace trust enabled and the folder not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('activates on the HH file and still registers its commands', async () => {
    const extension = spoExtension();
    await openFile(hhFile());
    await waitFor(() => extension.isActive, 45000, `${extension.id} to activate in Restricted Mode`);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(registered.has('spo.toggleHighlights'), 'spo.toggleHighlights is not registered');
    await takeScreenshot('activation-untrusted');
  });

  it('refuses Train SPO, Run Experiment and Resume Training: no trainer is forked and nothing is written', async () => {
    const runs = path.join(workspaceDir(), '.spo');
    // The refusal waits on a warning notification nobody answers here, so the command is not awaited.
    void vscode.commands.executeCommand('spo.train', { data: hhFile(), preset: 'tiny', maxSteps: 2 });
    void vscode.commands.executeCommand('spo.runExperiment', { data: hhFile(), seeds: 1, max_steps: 1 });
    void vscode.commands.executeCommand('spo.resumeTraining', { run: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const state = await vscode.commands.executeCommand<{ live: boolean; pid: number | null }>('spo._test.getRunManagerState');
    assert.equal(state.live, false, 'a run was started in an untrusted workspace');
    assert.equal(state.pid, null);
    const experiment = await vscode.commands.executeCommand<{ live: boolean }>('spo._test.getExperimentState');
    assert.equal(experiment.live, false, 'an experiment was started in an untrusted workspace');
    assert.equal(fs.existsSync(runs), false, `${runs} was created in an untrusted workspace`);
  });
});
