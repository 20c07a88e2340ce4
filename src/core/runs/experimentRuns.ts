// The curves panel's run names: plain runs of the runs directory (`20261127-002005`) and the runs of
// experiments (`<experiment>/seed-1/dpo`, from `.spo/experiments/<experiment>/runs/seed-1/dpo`).
import * as fs from 'fs';
import * as path from 'path';
import { existsNoFollow } from '../fs/safeFiles';
import { RUN_FILES } from '../train/runFolder';
import { describeRunAsync, listRunsAsync, MAX_EXAMINED_FOLDERS, MAX_LISTED_RUNS, RunEntry, RunListing } from './runFolders';

/** The sub-folder of an experiment holding its run folders (runner.ts default `<outDir>/runs`). */
export const EXPERIMENT_RUNS_FOLDER = 'runs';
/** Folders under an experiment's runs that are not arm runs (the shared SFT reference, the split files). */
const NOT_ARMS = new Set(['reference', 'data']);
/** seed-N/arm is two levels; a little slack for other layouts. */
const MAX_DEPTH = 3;

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await fs.promises.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** What one listing may still look at: the same caps as a runs folder's (MAX_LISTED_RUNS, MAX_EXAMINED_FOLDERS), over every experiment. */
interface Walk {
  found: RunEntry[];
  examined: number;
  truncated: boolean;
}

/** Add the arm runs (folders with metrics.jsonl) of one experiment folder, named `<experiment>/<path under runs>`. */
async function walkExperiment(experimentDir: string, walk: Walk): Promise<void> {
  const experiment = path.basename(experimentDir);
  const visit = async (dir: string, rel: string[]): Promise<void> => {
    if (walk.found.length === MAX_LISTED_RUNS || walk.examined === MAX_EXAMINED_FOLDERS) {
      walk.truncated = true;
      return;
    }
    walk.examined += 1;
    if (rel.length > 0 && await existsNoFollow(path.join(dir, RUN_FILES.metrics))) {
      walk.found.push({ ...(await describeRunAsync(dir)), name: [experiment, ...rel].join('/') });
      return;
    }
    if (rel.length >= MAX_DEPTH) return;
    for (const name of await subfolders(dir)) {
      if (walk.truncated) return;
      if (!NOT_ARMS.has(name)) await visit(path.join(dir, name), [...rel, name]);
    }
  };
  await visit(path.join(experimentDir, EXPERIMENT_RUNS_FOLDER), []);
}

/** Arm runs of one experiment folder (seeds and arms in order), named `<experiment>/<path under runs>`. */
export async function listExperimentRunsAsync(experimentDir: string): Promise<RunListing> {
  const walk: Walk = { found: [], examined: 0, truncated: false };
  await walkExperiment(experimentDir, walk);
  return { runs: walk.found, truncated: walk.truncated };
}

/** Every experiment's arm runs, newest experiment first (names sort by time), seeds and arms in order. */
export async function listAllExperimentRunsAsync(experimentsDir: string): Promise<RunListing> {
  const walk: Walk = { found: [], examined: 0, truncated: false };
  for (const name of (await subfolders(experimentsDir)).reverse()) {
    if (walk.truncated) break;
    await walkExperiment(path.join(experimentsDir, name), walk);
  }
  return { runs: walk.found, truncated: walk.truncated };
}

/** What the curves panel offers: plain runs (newest first), then experiment runs; which of the two listings hit their caps. */
export interface CurveRunListing {
  runs: RunEntry[];
  /** The folders (runs folder, experiments folder) whose listing stopped at its cap. */
  truncated: string[];
}

/** The curves panel's run list, read asynchronously; each of the two folders is listed up to its caps. */
export async function listCurveRunsAsync(runsDir: string | null, experimentsDir: string | null): Promise<CurveRunListing> {
  const plain = runsDir ? await listRunsAsync(runsDir) : { runs: [], truncated: false };
  const experiments = experimentsDir ? await listAllExperimentRunsAsync(experimentsDir) : { runs: [], truncated: false };
  const truncated = [...(plain.truncated && runsDir ? [runsDir] : []), ...(experiments.truncated && experimentsDir ? [experimentsDir] : [])];
  return { runs: [...plain.runs, ...experiments.runs], truncated };
}

/**
 * The folder of a run name as listed by listCurveRunsAsync; null when the name cannot be one (empty, `..`,
 * or an experiment name without the folders it needs).
 */
export function curveRunDir(name: string, runsDir: string | null, experimentsDir: string | null): string | null {
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) return null;
  if (parts.length === 1) return runsDir ? path.join(runsDir, name) : null;
  if (!experimentsDir) return null;
  return path.join(experimentsDir, parts[0], EXPERIMENT_RUNS_FOLDER, ...parts.slice(1));
}
