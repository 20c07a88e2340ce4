// In an untrusted workspace (Restricted Mode) the extension still activates on a preference file, since it declares
// limited support: inspecting data is safe, only training needs trust.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hhFile, openFile, spoExtension, takeScreenshot, waitFor } from '../helpers';

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
});
