// Where runs live for this workspace: the first folder + the `spo.train.runsDirectory` setting;
// experiments (and their runs) under `.spo/experiments`.
import * as path from 'path';
import * as vscode from 'vscode';
import { assertResolvesInside } from '../../core/fs/safeFiles';

export function workspaceRoot(): string | null {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
}

/** Absolute runs folder, or null with no folder open (runs are written into the workspace). */
export function runsDirectory(): string | null {
  const root = workspaceRoot();
  if (!root) return null;
  const setting = vscode.workspace.getConfiguration('spo.train').get<string>('runsDirectory', '.spo/runs') || '.spo/runs';
  return path.resolve(root, setting);
}

/** Where "Run SPO vs DPO Experiment" writes (`<workspace>/.spo/experiments`), or null with no folder open. */
export function experimentsDirectory(): string | null {
  const root = workspaceRoot();
  return root ? path.join(root, '.spo', 'experiments') : null;
}

/**
 * Why the runs folder cannot be written (null: it can): a repository may ship `.spo` as a link to a folder
 * outside the workspace, and runs are only ever written inside it.
 */
export function runsDirectoryProblem(root: string, runsDir: string): string | null {
  try {
    assertResolvesInside(root, runsDir, 'runs folder');
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
