// Which runs can be resumed: those that ended stopped, failed or without a `done` event (crash, kill)
// and left a complete checkpoint. The trainer continues them in place (`--resume --output-dir <run>`).
import type { TrainerEvent } from '../protocol';
import { readMetricsFile } from './metricsFile';
import { listCheckpoints, listRuns, RunEntry } from './runFolders';

/** How a run's last attempt ended: a resumed run's earlier `done(stopped)` does not count once it restarted. */
export type RunOutcome = 'completed' | 'stopped' | 'failed' | 'crashed' | 'not-started';

export function lastOutcome(events: readonly TrainerEvent[]): RunOutcome {
  let outcome: RunOutcome = 'not-started';
  for (const e of events) {
    if (e.type === 'started') outcome = 'crashed'; // until a done event says otherwise
    else if (e.type === 'done') outcome = e.reason;
  }
  return outcome;
}

export interface ResumableRun {
  run: RunEntry;
  outcome: Exclude<RunOutcome, 'completed'>;
  /** The step the trainer will continue from (highest complete checkpoint). */
  checkpointStep: number;
  /** Last step logged (may be past the checkpoint after a crash). */
  lastStep: number;
  maxSteps: number | null;
}

/** Read one run; null when it completed or has no checkpoint to continue from. */
export function resumableRun(run: RunEntry): ResumableRun | null {
  const checkpoints = listCheckpoints(run.dir);
  if (checkpoints.length === 0 || !run.config) return null;
  const { events } = readMetricsFile(run.metricsFile);
  const outcome = lastOutcome(events);
  if (outcome === 'completed') return null;
  let lastStep = 0;
  for (const e of events) {
    if (e.type === 'metrics') lastStep = Math.max(lastStep, e.row.step);
    else if (e.type === 'done') lastStep = Math.max(lastStep, e.step);
  }
  const maxSteps = typeof run.config.max_steps === 'number' ? run.config.max_steps : null;
  if (outcome === 'stopped' && maxSteps !== null && lastStep >= maxSteps) return null; // stopped at its last step: nothing left
  return { run, outcome, checkpointStep: checkpoints[0].step, lastStep, maxSteps };
}

/** Resumable runs of a runs directory, newest first; `except` skips a live run. */
export function listResumableRuns(runsDir: string, except: string | null = null): ResumableRun[] {
  return listRuns(runsDir)
    .filter((r) => r.name !== except)
    .map(resumableRun)
    .filter((r): r is ResumableRun => r !== null);
}

/** The trainer's command line to continue `runDir` (its config.json decides the rest); `maxSteps` extends the budget. */
export function resumeArgs(runDir: string, maxSteps?: number, trustRun = false): string[] {
  const args = ['--resume', '--output-dir', runDir];
  if (trustRun) args.push('--trust-run'); // after the user confirmed a run folder that is not this machine's own
  if (maxSteps !== undefined) args.push('--max-steps', String(maxSteps));
  return args;
}
