// Discovers training runs: each sub-folder of the runs directory (default `.spo/runs`) holding
// config.json or metrics.jsonl (file names from the trainer's RUN_FILES). Run names sort by time of creation, so newest first = name descending.
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, RunFolder as TrainerRunFolder } from '../train/runFolder';
import { upgradeConfigKeys } from '../train/config';
import { readRegularFile, readRegularFileSync } from '../fs/safeFiles';

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

function readConfigObject(file: string): Record<string, unknown> | null {
  try {
    // Size-capped, regular files only: the run-list poll must not hang on `config.json -> /dev/zero`.
    return configObject(readRegularFileSync(file, RUN_CONFIG_LIMIT).toString('utf8'));
  } catch {
    return null;
  }
}

async function readConfigObjectAsync(file: string): Promise<Record<string, unknown> | null> {
  try {
    return configObject((await readRegularFile(file, RUN_CONFIG_LIMIT)).toString('utf8'));
  } catch {
    return null;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.promises.lstat(file).then(() => true, () => false);
}

export function describeRun(dir: string): RunEntry {
  return {
    name: path.basename(dir),
    dir,
    metricsFile: path.join(dir, RUN_FILES.metrics),
    config: readConfigObject(path.join(dir, RUN_FILES.config)),
    hasDegrees: fs.existsSync(path.join(dir, RUN_FILES.degrees)),
  };
}

/** describeRun for the extension host: config.json is read asynchronously. */
export async function describeRunAsync(dir: string): Promise<RunEntry> {
  return {
    name: path.basename(dir),
    dir,
    metricsFile: path.join(dir, RUN_FILES.metrics),
    config: await readConfigObjectAsync(path.join(dir, RUN_FILES.config)),
    hasDegrees: await exists(path.join(dir, RUN_FILES.degrees)),
  };
}

/** Run folders by name, newest first. */
function newestFirst(a: string, b: string): number {
  return path.basename(a) < path.basename(b) ? 1 : path.basename(a) > path.basename(b) ? -1 : 0;
}

/** Every run under `runsDir`, newest first (by name). A missing folder means no runs. */
export function listRuns(runsDir: string): RunEntry[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => path.join(runsDir, e.name))
    .filter((dir) => fs.existsSync(path.join(dir, RUN_FILES.metrics)) || fs.existsSync(path.join(dir, RUN_FILES.config)))
    .sort(newestFirst)
    .map(describeRun);
}

/** listRuns for the extension host: nothing is read synchronously. */
export async function listRunsAsync(runsDir: string): Promise<RunEntry[]> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.join(runsDir, e.name);
    if (await exists(path.join(dir, RUN_FILES.metrics)) || await exists(path.join(dir, RUN_FILES.config))) dirs.push(dir);
  }
  const runs: RunEntry[] = [];
  for (const dir of dirs.sort(newestFirst)) runs.push(await describeRunAsync(dir));
  return runs;
}

/** The data file a run trained on, resolved against the run's workspace (config paths may be relative). */
export function runDataFile(run: RunEntry, baseDir: string): string | null {
  const data = run.config?.data;
  return typeof data === 'string' && data !== '' ? path.resolve(baseDir, data) : null;
}

/** Newest run with degrees.jsonl that trained on `dataFile` (same resolved path). */
export function findDegreesRun(runsDir: string, dataFile: string, baseDir: string): RunEntry | null {
  const target = path.resolve(dataFile);
  return listRuns(runsDir).find((run) => run.hasDegrees && runDataFile(run, baseDir) === target) ?? null;
}

/** Complete checkpoints (`checkpoints/step-N` with trainer_state.json), highest step first. */
export function listCheckpoints(runDir: string): Array<{ step: number; dir: string }> {
  const run = new TrainerRunFolder(runDir);
  return run.checkpointSteps().reverse().map((step) => ({ step, dir: run.checkpointDir(step) }));
}
