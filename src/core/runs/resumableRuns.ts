// Which runs can be resumed: those that ended stopped, failed or without a `done` event (crash, kill)
// and left a complete checkpoint. The trainer continues them in place (`--resume --output-dir <run>`).
import type { TrainerEvent } from '../protocol';
import { MetricsFileContent, readMetricsFileAsync } from './metricsFile';
import * as path from 'path';
import { describeRunAsync, isRunFolder, listRunsAsync, newestCheckpointAsync, RunEntry } from './runFolders';
import { hasControlCharacters } from '../fs/safeFiles';

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
  const checkpoint = await newestCheckpointAsync(run.dir);
  if (checkpoint === null || !run.config) return null;
  return judgeRun(run, checkpoint.step, await readMetricsFileAsync(run.metricsFile));
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

/** Resumable runs among the listed runs of a runs directory (newest first, at most MAX_LISTED_RUNS: `truncated` says
 * older ones were left out); `except` skips a live run. Read asynchronously (Resume Training). */
export async function listResumableRunsAsync(runsDir: string, except: string | null = null): Promise<{ runs: ResumableRun[]; truncated: boolean }> {
  const out: ResumableRun[] = [];
  const listing = await listRunsAsync(runsDir);
  for (const run of listing.runs) {
    if (run.name === except) continue;
    const resumable = await resumableRunAsync(run);
    if (resumable) out.push(resumable);
  }
  return { runs: out, truncated: listing.truncated };
}

/**
 * The run folder `name` of the runs directory, looked up directly (so a run older than the listing's cap can be
 * named); null when the name is not one plain folder name (separators, `..`, control characters), the folder is
 * not a run, or the run cannot be resumed.
 */
export async function resumableRunNamedAsync(runsDir: string, name: string): Promise<ResumableRun | null> {
  if (name === '' || name === '.' || name === '..' || name !== path.basename(name) || /[\\/]/.test(name) || hasControlCharacters(name)) return null;
  const dir = path.join(runsDir, name);
  if (!(await isRunFolder(dir))) return null;
  return resumableRunAsync(await describeRunAsync(dir));
}

/** The trainer's command line to continue `runDir` (its config.json decides the rest); `maxSteps` extends the budget. */
export function resumeArgs(runDir: string, maxSteps?: number, trustRun = false): string[] {
  const args = ['--resume', '--output-dir', runDir];
  if (trustRun) args.push('--trust-run'); // after the user confirmed a run folder that is not this machine's own
  if (maxSteps !== undefined) args.push('--max-steps', String(maxSteps));
  return args;
}
