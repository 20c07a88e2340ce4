// The checks Train SPO and Resume Training make before anything else, in one place: a trusted workspace,
// an open folder whose runs directory stays inside it, and no run already active.
import * as vscode from 'vscode';
import { refuseInUntrustedWorkspace } from '../workspaceTrust';
import { CommandId } from '../commandIds';
import type { RunManager } from './runManager';
import { runsDirectory, runsDirectoryProblem, workspaceRoot } from './runsLocation';

export interface PreflightOptions {
  /** The command's title in messages, e.g. `Train SPO`. */
  title: string;
  /** What the command writes, for the no-folder message (`runs are written to its .spo/runs`). */
  needsFolder: string;
  /** Offer Show Curves beside Stop Training when a run is active. */
  offerCurves?: boolean;
}

/** The workspace folder and runs directory to use, or null when the command must not go on (already said why). */
export async function preflight(manager: RunManager, o: PreflightOptions): Promise<{ root: string; runsDir: string } | null> {
  if (await refuseInUntrustedWorkspace(o.title)) return null;
  const root = workspaceRoot();
  const runsDir = runsDirectory();
  if (!root || !runsDir) {
    void vscode.window.showErrorMessage(`${o.title} needs an open folder: ${o.needsFolder}.`);
    return null;
  }
  const outside = runsDirectoryProblem(root, runsDir);
  if (outside) {
    void vscode.window.showErrorMessage(`${o.title}: ${outside}.`);
    return null;
  }
  if (manager.current) {
    const actions = o.offerCurves ? ['Stop Training', 'Show Curves'] : ['Stop Training'];
    const action = await vscode.window.showWarningMessage(`A training run is already active (${manager.current.name}). Stop it first.`, ...actions);
    if (action === 'Stop Training') void vscode.commands.executeCommand(CommandId.StopTraining);
    if (action === 'Show Curves') void vscode.commands.executeCommand(CommandId.ShowCurves);
    return null;
  }
  return { root, runsDir };
}
