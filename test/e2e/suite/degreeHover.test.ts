// Issue 11 §4 in the editor: the preference hover's run degrees are cached per data file and the run-folder
// watcher drops them, so a run that finishes (or goes) shows in the hover without a hover re-reading every
// run folder. The run here is hand-written in the torch engine's record shape (`data: null`, `split`).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hhFile, openFile, spoExtension, waitFor, workspaceDir } from '../helpers';

/** The text of every hover VS Code's hover machinery gives at a position of the active editor's document. */
async function hoverText(document: vscode.TextDocument, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

describe('run degrees in the preference hover', function () {
  this.timeout(60000);
  // Newer than any real run name (yyyymmdd-hhmmss), so it is the newest run on the file while it exists,
  // whatever runs an earlier suite left there.
  const runDir = () => path.join(workspaceDir(), '.spo', 'runs', '99991231-235959');

  after(() => fs.rmSync(runDir(), { recursive: true, force: true }));

  it('shows a run that appears in the runs folder, and stops showing it once the folder goes', async () => {
    const editor = await openFile(hhFile());
    await waitFor(() => spoExtension().isActive, 20000, 'the extension to activate');
    const at = new vscode.Position(2, 1); // line 3, outside any key phrase: the degree line of the record
    const before = await hoverText(editor.document, at);
    assert.match(before, /Preference degree: data degree \*\*[+-]?\d\.\d{3}\*\*/, before);
    assert.doesNotMatch(before, /model margin \*\*-0\.777\*\*/);

    fs.mkdirSync(runDir(), { recursive: true });
    fs.writeFileSync(path.join(runDir(), 'config.json'), JSON.stringify({ data: hhFile(), loss: 'sigmoid' }));
    fs.writeFileSync(path.join(runDir(), 'metrics.jsonl'), '');
    const record = {
      index: 2, line: 3, split: 'train', spo: null, data: null,
      model: { margin: -0.777, probability: 1 / (1 + Math.exp(0.777)), chosenReward: -0.4, rejectedReward: 0.377 },
    };
    // A bad line is skipped by the views' lenient reader; the record after it still counts.
    fs.writeFileSync(path.join(runDir(), 'degrees.jsonl'), `{"torn":\n${JSON.stringify(record)}\n`);

    const shown = await waitFor(async () => {
      const text = await hoverText(editor.document, at);
      return /model margin \*\*-0\.777\*\*, P\(chosen ≻ rejected\) \*\*0\.31\*\*/.test(text) ? text : null;
    }, 15000, "the new run's margin in the hover");
    assert.equal(shown!.match(/data degree/gi)?.length, 1, shown!);

    fs.rmSync(runDir(), { recursive: true, force: true });
    await waitFor(async () => !/model margin \*\*-0\.777\*\*/.test(await hoverText(editor.document, at)), 15000, 'the deleted run to leave the hover');
  });
});
