// The checks Train SPO, Resume Training and Run SPO vs DPO Experiment make before anything else, in one
// place: a trusted workspace, an open folder whose output directory stays inside it, and no job already active.
import * as vscode from 'vscode';
import { refuseInUntrustedWorkspace } from '../workspaceTrust';
import { CommandId } from '../commandIds';
import type { RunManager } from './runManager';
import { runsDirectory, runsDirectoryProblem, workspaceRoot } from './runsLocation';

/** A job already running, as the refusal names it. */
export interface ActiveJob {
  /** The warning, e.g. `A training run is already active (run-1). Stop it first.` */
  message: string;
  /** Buttons beside the warning, each running a command when picked. */
  actions: Array<{ title: string; command: string }>;
}

export interface JobPreflightOptions {
  /** The command's title in messages, e.g. `Train SPO`. */
  title: string;
  /** What the command writes, for the no-folder message (`runs are written to its .spo/runs`). */
  needsFolder: string;
  /** Where the command writes (the runs or experiments directory); null with no folder open. */
  outputDir: string | null;
  /** The job that must finish first, or null when none is running. */
  active: ActiveJob | null;
}

/** The workspace folder and output directory to use, or null when the command must not go on (already said why). */
export async function jobPreflight(o: JobPreflightOptions): Promise<{ root: string; outputDir: string } | null> {
  if (await refuseInUntrustedWorkspace(o.title)) return null;
  const root = workspaceRoot();
  if (!root || !o.outputDir) {
    void vscode.window.showErrorMessage(`${o.title} needs an open folder: ${o.needsFolder}.`);
    return null;
  }
  const outside = runsDirectoryProblem(root, o.outputDir);
  if (outside) {
    void vscode.window.showErrorMessage(`${o.title}: ${outside}.`);
    return null;
  }
  if (o.active) {
    // Without buttons nothing waits on the notification: the command returns at once.
    if (o.active.actions.length === 0) {
      void vscode.window.showWarningMessage(o.active.message);
      return null;
    }
    const action = await vscode.window.showWarningMessage(o.active.message, ...o.active.actions.map((a) => a.title));
    const command = o.active.actions.find((a) => a.title === action)?.command;
    if (command) void vscode.commands.executeCommand(command);
    return null;
  }
  return { root, outputDir: o.outputDir };
}

/** Preflight of the commands that start a trainer (Train SPO, Resume Training): one training run at a time. */
export async function preflight(
  manager: RunManager, o: { title: string; needsFolder: string; offerCurves?: boolean },
): Promise<{ root: string; runsDir: string } | null> {
  const live = manager.current;
  const actions = [{ title: 'Stop Training', command: CommandId.StopTraining }];
  if (o.offerCurves) actions.push({ title: 'Show Curves', command: CommandId.ShowCurves });
  const ready = await jobPreflight({
    title: o.title, needsFolder: o.needsFolder, outputDir: runsDirectory(),
    active: live ? { message: `A training run is already active (${live.name}). Stop it first.`, actions } : null,
  });
  return ready && { root: ready.root, runsDir: ready.outputDir };
}
