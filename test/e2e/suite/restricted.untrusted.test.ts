// Issue 13 §2 in the editor: in Restricted Mode a run folder shipped with the repository is not read on hover.
// Before, `degrees.jsonl -> /dev/zero` in such a folder was still being read after 60 s (4.8 GB) on one hover.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hhFile, openFile, workspaceDir } from '../helpers';

describe('Restricted Mode and shipped run folders', () => {
  it('a hover on a preference line answers at once and reads no shipped run folder (degrees.jsonl -> /dev/zero)', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const run = path.join(workspaceDir(), '.spo', 'runs', 'shipped');
    fs.mkdirSync(run, { recursive: true });
    fs.writeFileSync(path.join(run, 'config.json'), JSON.stringify({ data: hhFile(), loss: 'sigmoid' }));
    fs.writeFileSync(path.join(run, 'metrics.jsonl'), '');
    fs.rmSync(path.join(run, 'degrees.jsonl'), { force: true });
    fs.symlinkSync('/dev/zero', path.join(run, 'degrees.jsonl'));
    try {
      const editor = await openFile(hhFile());
      const t0 = Date.now();
      const hovers = await Promise.race([
        vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 5)),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
      ]);
      assert.ok(hovers !== null, 'the hover did not answer within 10 s');
      assert.ok(Date.now() - t0 < 10_000);
      const text = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
      assert.doesNotMatch(text, /model margin/, 'no run degrees were read in Restricted Mode');
    } finally {
      fs.rmSync(path.join(workspaceDir(), '.spo'), { recursive: true, force: true });
    }
  });
});
