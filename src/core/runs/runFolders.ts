// Discovers training runs: each sub-folder of the runs directory (default `.spo/runs`) holding
// config.json or metrics.jsonl (file names from the trainer's RUN_FILES). Run names sort by time of creation, so newest first = name descending.
// Everything is read asynchronously and the work per listing is bounded: the extension host polls these
// folders, and a repository may ship a `.spo/runs` with 100,000 of them.
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, RunFolder as TrainerRunFolder } from '../train/runFolder';
import { upgradeConfigKeys } from '../train/config';
import { existsNoFollow, readRegularFile } from '../fs/safeFiles';

/** A run's config.json is a few hundred bytes; the cap keeps a crafted one from exhausting the host. */
const RUN_CONFIG_LIMIT = { maxBytes: 1024 * 1024 };

/** A run as listed: name, folder, its config.json, whether it wrote per-example degrees. */
export interface RunEntry {
  name: string;
  dir: string;
  metricsFile: string;
  /** The run's config.json with today's key names (an older run's are upgraded); null when missing or unreadable. */
  config: Record<string, unknown> | null;
  hasDegrees: boolean;
}

/** A config.json's text as an object with today's key names; null when it is not a JSON object. */
function configObject(text: string): Record<string, unknown> | null {
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? upgradeConfigKeys(value as Record<string, unknown>) : null;
}

async function readConfigObject(file: string): Promise<Record<string, unknown> | null> {
  try {
    return configObject((await readRegularFile(file, RUN_CONFIG_LIMIT)).toString('utf8'));
  } catch {
    return null;
  }
}

/** A run folder as listed: its config.json read (size-capped, regular files only), whether it has degrees. */
export async function describeRunAsync(dir: string): Promise<RunEntry> {
  return {
    name: path.basename(dir),
    dir,
    metricsFile: path.join(dir, RUN_FILES.metrics),
    config: await readConfigObject(path.join(dir, RUN_FILES.config)),
    hasDegrees: await existsNoFollow(path.join(dir, RUN_FILES.degrees)),
  };
}

/** Run folders by name, newest first. */
function newestFirst(a: string, b: string): number {
  return path.basename(a) < path.basename(b) ? 1 : path.basename(a) > path.basename(b) ? -1 : 0;
}

/**
 * At most this many runs per listing (the newest, by name): each listed run costs a config.json read, and the
 * curves panel lists every few seconds. Far more than anyone draws; a listing that hits it says so (`truncated`).
 */
export const MAX_LISTED_RUNS = 500;

/**
 * At most this many folders are looked at per listing (run or not): a shipped runs folder of 100,000 empty
 * folders must not cost 100,000 stats a poll. A runs folder holds runs and little else; an experiment's arm
 * run costs about two (its seed folder and itself), so 4× leaves room for both to reach MAX_LISTED_RUNS.
 */
export const MAX_EXAMINED_FOLDERS = 4 * MAX_LISTED_RUNS;

/** A bounded listing: the runs found, and whether folders were left unexamined (MAX_LISTED_RUNS or MAX_EXAMINED_FOLDERS reached). */
export interface RunListing {
  runs: RunEntry[];
  truncated: boolean;
}

/** Whether a folder is a run: it holds metrics.jsonl or config.json. */
export async function isRunFolder(dir: string): Promise<boolean> {
  return await existsNoFollow(path.join(dir, RUN_FILES.metrics)) || await existsNoFollow(path.join(dir, RUN_FILES.config));
}

/** Every run under `runsDir`, newest first (by name), up to MAX_LISTED_RUNS. A missing folder means no runs. */
export async function listRunsAsync(runsDir: string): Promise<RunListing> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(runsDir, { withFileTypes: true });
  } catch {
    return { runs: [], truncated: false };
  }
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => path.join(runsDir, e.name)).sort(newestFirst);
  const runs: RunEntry[] = [];
  let examined = 0;
  for (const dir of dirs) {
    if (runs.length === MAX_LISTED_RUNS || examined === MAX_EXAMINED_FOLDERS) return { runs, truncated: true };
    examined += 1;
    if (await isRunFolder(dir)) runs.push(await describeRunAsync(dir));
  }
  return { runs, truncated: false };
}

/** The data file a run trained on, resolved against the run's workspace (config paths may be relative). */
export function runDataFile(run: RunEntry, baseDir: string): string | null {
  const data = run.config?.data;
  return typeof data === 'string' && data !== '' ? path.resolve(baseDir, data) : null;
}

/**
 * A degrees lookup's answer goes stale when a run folder comes or goes (the runs folder's mtime), a newer run
 * without degrees yet writes them or its config (that run folder's mtime), or the found run's degrees.jsonl or
 * config.json changes. At most this many newer runs are watched that way: the newest, which are the ones still
 * training; older ones are left to the file watcher.
 */
const MAX_WATCHED_NEWER_RUNS = 16;

/**
 * The newest listed run with degrees.jsonl that trained on `dataFile` (same resolved path), and the paths whose
 * change can change that answer.
 */
export async function lookUpDegreesRunAsync(runsDir: string, dataFile: string, baseDir: string): Promise<{ run: RunEntry | null; dependsOn: string[] }> {
  const target = path.resolve(dataFile);
  const { runs } = await listRunsAsync(runsDir);
  const found = runs.findIndex((run) => run.hasDegrees && runDataFile(run, baseDir) === target);
  const run = found >= 0 ? runs[found] : null;
  const newer = (found >= 0 ? runs.slice(0, found) : runs).filter((r) => !r.hasDegrees).slice(0, MAX_WATCHED_NEWER_RUNS);
  const own = run ? [path.join(run.dir, RUN_FILES.degrees), path.join(run.dir, RUN_FILES.config)] : [];
  return { run, dependsOn: [runsDir, ...newer.map((r) => r.dir), ...own] };
}

/** A cheap fingerprint of some paths (lstat: mtime, size, inode; '-' for a missing one), to tell whether they changed. */
export async function pathsFingerprintAsync(paths: string[]): Promise<string> {
  const parts = await Promise.all(paths.map((p) => fs.promises.lstat(p).then((st) => `${st.mtimeMs}:${st.size}:${st.ino}`, () => '-')));
  return parts.join('|');
}

/** The highest complete checkpoint (`checkpoints/step-N` with trainer_state.json) of a run; null when it has none. */
export async function newestCheckpointAsync(runDir: string): Promise<{ step: number; dir: string } | null> {
  const run = new TrainerRunFolder(runDir);
  const step = await run.newestCheckpointStepAsync();
  return step === null ? null : { step, dir: run.checkpointDir(step) };
}
