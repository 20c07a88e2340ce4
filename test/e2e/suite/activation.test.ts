// The extension activates by itself when a preference file is opened (no command needed) and registers every
// command its package.json contributes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { contributedCommandIds, hhFile, openFile, spoExtension, takeScreenshot, waitFor } from '../helpers';

describe('activation', () => {
  it('runs in a real VS Code extension host with the test workspace open', () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    assert.equal(process.env.SPO_TEST, '1');
    assert.ok(vscode.workspace.workspaceFolders?.length, 'no workspace folder is open');
  });

  it('activates on opening the HH preference file, without running a command first', async () => {
    const extension = spoExtension();
    const editor = await openFile(hhFile());
    assert.equal(editor.document.languageId, 'jsonl', 'a .jsonl file should get the built-in jsonl language');
    assert.ok(editor.document.lineCount >= 2000, `hh-rlhf.jsonl has ${editor.document.lineCount} lines`);
    const events = (extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    assert.ok(events.includes('onLanguage:jsonl'), `activationEvents lack onLanguage:jsonl: ${events.join(', ')}`);
    await waitFor(() => extension.isActive, 45000, `${extension.id} to activate`);
  });

  it('registers every contributed command', async () => {
    const contributed = contributedCommandIds();
    assert.ok(contributed.length >= 7, `only ${contributed.length} contributed commands`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    const screenshot = await takeScreenshot('activation');
    if (screenshot) assert.ok(fs.statSync(screenshot).size > 10000, 'activation.png looks empty');
  });
});
