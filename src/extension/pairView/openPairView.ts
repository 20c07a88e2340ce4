// SPO: Open Pair View — from the palette (the cursor's line), the editor title (a file URI) or a
// hover link (a URI string and a 1-based line).
import * as vscode from 'vscode';
import { preferenceLayout } from '../keys/preferenceDocument';
import { PairViewPanel } from './pairViewPanel';

export async function openPairView(panel: PairViewPanel, target?: vscode.Uri | string, line?: number): Promise<void> {
  const active = vscode.window.activeTextEditor;
  const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target ?? active?.document.uri;
  if (!uri) {
    void vscode.window.showWarningMessage('SPO: open a preference file (.jsonl with prompt/chosen/rejected records) to see its pairs.');
    return;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!preferenceLayout(document)) {
    void vscode.window.showWarningMessage(`SPO: ${vscode.workspace.asRelativePath(uri, false)} does not look like preference data (no chosen/rejected records in its first lines).`);
    return;
  }
  const cursorLine = active && active.document.uri.toString() === uri.toString() ? active.selection.active.line + 1 : 1;
  await panel.createOrShow(uri, typeof line === 'number' && Number.isFinite(line) ? line : cursorLine);
}
