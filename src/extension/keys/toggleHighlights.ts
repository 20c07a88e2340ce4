// SPO: Toggle Key-Content Highlights flips the `spo.highlights.enabled` setting (so the choice
// survives reloads and shows in Settings) where it is set most specifically; the settings listener repaints.
import * as vscode from 'vscode';

export async function toggleHighlights(): Promise<boolean> {
  const config = vscode.workspace.getConfiguration('spo');
  const inspected = config.inspect<boolean>('highlights.enabled');
  const enabled = config.get<boolean>('highlights.enabled', true);
  const target = inspected?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
    : inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await config.update('highlights.enabled', !enabled, target);
  vscode.window.setStatusBarMessage(`SPO key-content highlights ${enabled ? 'off' : 'on'}`, 3000);
  return !enabled;
}
