// Which runs can be resumed: those that ended stopped, failed or without a `done` event (crash, kill)
// and left a complete checkpoint. The trainer continues them in place (`--resume --output-dir <run>`).
import type { TrainerEvent } from '../protocol';
import { MetricsFileContent, readMetricsFileAsync } from './metricsFile';
import { listCheckpointsAsync, listRunsAsync, RunEntry } from './runFolders';

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

/** Read one run (metrics.jsonl asynchronously: the extension host asks); null when it completed or has no checkpoint to continue from. */
export async function resumableRunAsync(run: RunEntry): Promise<ResumableRun | null> {
  const checkpoints = await listCheckpointsAsync(run.dir);
  if (checkpoints.length === 0 || !run.config) return null;
  return judgeRun(run, checkpoints[0].step, await readMetricsFileAsync(run.metricsFile));
}

function judgeRun(run: RunEntry, checkpointStep: number, { events }: MetricsFileContent): ResumableRun | null {
  const outcome = lastOutcome(events);
  if (outcome === 'completed') return null;
  let lastStep = 0;
  for (const e of events) {
    if (e.type === 'metrics') lastStep = Math.max(lastStep, e.row.step);
    else if (e.type === 'done') lastStep = Math.max(lastStep, e.step);
  }
  const maxSteps = typeof run.config?.max_steps === 'number' ? run.config.max_steps : null;
  if (outcome === 'stopped' && maxSteps !== null && lastStep >= maxSteps) return null; // stopped at its last step: nothing left
  return { run, outcome, checkpointStep, lastStep, maxSteps };
}

/** Resumable runs among the listed runs of a runs directory (newest first, MAX_LISTED_RUNS); `except` skips a live run. Read asynchronously (Resume Training). */
export async function listResumableRunsAsync(runsDir: string, except: string | null = null): Promise<ResumableRun[]> {
  const out: ResumableRun[] = [];
  for (const run of (await listRunsAsync(runsDir)).runs) {
    if (run.name === except) continue;
    const resumable = await resumableRunAsync(run);
    if (resumable) out.push(resumable);
  }
  return out;
}

/** The trainer's command line to continue `runDir` (its config.json decides the rest); `maxSteps` extends the budget. */
export function resumeArgs(runDir: string, maxSteps?: number, trustRun = false): string[] {
  const args = ['--resume', '--output-dir', runDir];
  if (trustRun) args.push('--trust-run'); // after the user confirmed a run folder that is not this machine's own
  if (maxSteps !== undefined) args.push('--max-steps', String(maxSteps));
  return args;
}
