// Resume Training: pick a run of the runs directory that stopped, failed or crashed and has a
// checkpoint, and continue it in place in the run manager. Refused in untrusted workspaces.
import * as path from 'path';
import * as vscode from 'vscode';
import { listResumableRunsAsync, MAX_LISTED_RUNS, ResumableRun, resumableRunNamedAsync, runDataFile, runOwnershipAsync } from '../../core/runs';
import { hasControlCharacters } from '../../core/fs/safeFiles';
import { ConfigError, TrainConfig, resolveConfig } from '../../core/train/config';
import { CommandId } from '../commandIds';
import { RunManager } from './runManager';
import { ModalConfirmer } from '../modalConfirm';
import { preflight } from './preflight';
import type { TrainCommandResult } from './trainCommand';

/** The scripted argument (tests, the Resume action of the stop/crash notification). */
export interface ResumeCommandOptions {
  /** Run name (folder under the runs directory). Without it a picker lists the resumable runs. */
  run?: string | null;
  /** Extend the run's budget to this many alignment steps. */
  maxSteps?: number;
}

const OUTCOME_LABEL: Record<ResumableRun['outcome'], string> = {
  stopped: '$(debug-pause) stopped', failed: '$(error) failed', crashed: '$(warning) crashed', 'not-started': '$(circle-slash) never started',
};

export async function resumeCommand(manager: RunManager, modals: ModalConfirmer, options?: ResumeCommandOptions): Promise<TrainCommandResult | undefined> {
  const ready = await preflight(manager, { title: 'Resume Training', needsFolder: 'runs live in its .spo/runs' });
  if (!ready) return undefined;
  const { root, runsDir } = ready;
  // A name with control characters is a crafted folder (they would land in log lines and shells): never offered.
  let chosen: ResumableRun | undefined;
  if (options?.run) {
    chosen = (await resumableRunNamedAsync(runsDir, options.run)) ?? undefined;
    if (!chosen) {
      void vscode.window.showErrorMessage(`Resume Training: run "${options.run}" in ${runsDir} cannot be resumed (it completed, is missing, or has no complete checkpoint).`);
      return undefined;
    }
  } else {
    const listing = await listResumableRunsAsync(runsDir);
    const resumable = listing.runs.filter((r) => !hasControlCharacters(r.run.name));
    if (resumable.length === 0) {
      void vscode.window.showInformationMessage(`No run in ${runsDir} can be resumed: only runs that stopped, failed or crashed and saved a checkpoint can.`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(resumable.map((r) => ({
      label: r.run.name,
      description: `${OUTCOME_LABEL[r.outcome]} at step ${r.lastStep}${r.maxSteps ? ` of ${r.maxSteps}` : ''}`,
      detail: `continues from checkpoint step-${r.checkpointStep} · ${describeConfig(r)}`,
      resumable: r,
    })), {
      title: 'Resume Training',
      // A repository can ship any number of run folders: the listing stops at the newest MAX_LISTED_RUNS.
      placeHolder: listing.truncated
        ? `Run to continue from its last checkpoint (the newest ${MAX_LISTED_RUNS} runs of ${runsDir}; older ones by name: spo.resumeTraining { run })`
        : 'Run to continue from its last checkpoint',
    });
    chosen = pick?.resumable;
  }
  if (!chosen) return undefined;
  if (options?.maxSteps !== undefined && (!Number.isInteger(options.maxSteps) || options.maxSteps <= chosen.checkpointStep)) {
    void vscode.window.showErrorMessage(`Resume Training: maxSteps must be an integer above the checkpoint step ${chosen.checkpointStep}, got ${options.maxSteps}.`);
    return undefined;
  }
  // A run folder this machine did not start (shipped in the repository, another user's) is continued only
  // after the user has seen where it really is.
  const owner = await runOwnershipAsync(chosen.run.dir);
  if (!owner.own) {
    const answer = await modals.ask(
      `Resume a run that is not this machine's own?`,
      `${owner.realPath}\n\n${owner.reasons.join('\n')}\n\nIt may have come with the repository. Resuming writes into this folder and trains with its config.json.`,
      'Resume Anyway',
    );
    if (answer !== 'Resume Anyway') return undefined;
  }
  let live;
  try {
    live = manager.resume(configOfRun(chosen, root), root, options?.maxSteps, !owner.own);
  } catch (err) {
    void vscode.window.showErrorMessage(`Resume Training: ${(err as Error).message}`);
    return undefined;
  }
  void vscode.commands.executeCommand(CommandId.ShowCurves, { run: chosen.run.name });
  return { run: chosen.run.name, runDir: chosen.run.dir, pid: live.process.pid };
}

function describeConfig(r: ResumableRun): string {
  const c = r.run.config ?? {};
  const data = typeof c.data === 'string' ? path.basename(c.data) : '?';
  const loss = Array.isArray(c.loss_type) ? c.loss_type.join('+') : String(c.loss_type ?? '?');
  return `${data} · ${loss} · γ=${String(c.spo_gamma ?? '?')} · K=${String(c.spo_classes ?? '?')}`;
}

/**
 * The run's config as the run manager shows it (notifications, status); the trainer reads config.json
 * itself. An older run's key names are upgraded; a config the trainer would refuse is refused here.
 */
function configOfRun(r: ResumableRun, root: string): TrainConfig {
  let config: TrainConfig;
  try {
    config = resolveConfig([{ values: r.run.config ?? {}, where: `${r.run.dir}/config.json` }]);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`cannot resume: ${err.message}`);
    throw err;
  }
  return { ...config, data: runDataFile(r.run, root) ?? config.data, output_dir: r.run.dir, max_steps: r.maxSteps ?? config.max_steps };
}
