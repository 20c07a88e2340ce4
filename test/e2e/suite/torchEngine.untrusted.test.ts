// Restricted Mode never starts the torch engine either: Train SPO with engine torch is refused before any
// process (trainer or Python) starts or any file is written.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hhFile, openFile, spoExtension, waitFor, workspaceDir } from '../helpers';

describe('torch engine in an untrusted workspace', () => {
  it('refuses Train SPO with engine torch: no process, no run folder', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    await openFile(hhFile());
    await waitFor(() => spoExtension().isActive, 45000, 'the extension to activate');
    void vscode.commands.executeCommand('spo.train', { data: hhFile(), model: workspaceDir(), engine: 'torch', max_steps: 2 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const state = await vscode.commands.executeCommand<{ live: boolean; pid: number | null }>('spo._test.getRunManagerState');
    assert.equal(state.live, false);
    assert.equal(state.pid, null);
    assert.equal(fs.existsSync(path.join(workspaceDir(), '.spo')), false);
  });
});
