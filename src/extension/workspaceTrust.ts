// Training, resuming and experiments run code from the workspace (model folders, configs) and write
// files, so they need a trusted workspace; inspecting data does not.
import * as vscode from 'vscode';

/** Shows why `action` is refused and offers to manage trust. True when the workspace is untrusted. */
export async function refuseInUntrustedWorkspace(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return false;
  const choice = await vscode.window.showWarningMessage(
    `${action} is disabled in an untrusted workspace: training runs code from the workspace (model folders, configs) and writes files.`,
    'Manage Workspace Trust');
  if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  return true;
}
