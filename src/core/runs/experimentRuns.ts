// The curves panel's run names: plain runs of the runs directory (`20261127-002005`) and the runs of
// experiments (`<experiment>/seed-1/dpo`, from `.spo/experiments/<experiment>/runs/seed-1/dpo`).
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES } from '../train/runFolder';
import { describeRun, listRuns, RunEntry } from './runFolders';

/** The sub-folder of an experiment holding its run folders (runner.ts default `<outDir>/runs`). */
export const EXPERIMENT_RUNS_FOLDER = 'runs';
/** Folders under an experiment's runs that are not arm runs (the shared SFT reference, the split files). */
const NOT_ARMS = new Set(['reference', 'data']);
/** seed-N/arm is two levels; a little slack for other layouts. */
const MAX_DEPTH = 3;

function subfolders(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** Arm runs (folders with metrics.jsonl) of one experiment folder, named `<experiment>/<path under runs>`. */
export function listExperimentRuns(experimentDir: string): RunEntry[] {
  const experiment = path.basename(experimentDir);
  const root = path.join(experimentDir, EXPERIMENT_RUNS_FOLDER);
  const found: RunEntry[] = [];
  const walk = (dir: string, rel: string[]) => {
    if (rel.length > 0 && fs.existsSync(path.join(dir, RUN_FILES.metrics))) {
      found.push({ ...describeRun(dir), name: [experiment, ...rel].join('/') });
      return;
    }
    if (rel.length >= MAX_DEPTH) return;
    for (const name of subfolders(dir)) if (!NOT_ARMS.has(name)) walk(path.join(dir, name), [...rel, name]);
  };
  walk(root, []);
  return found;
}

/** Every experiment's arm runs, newest experiment first (names sort by time), seeds and arms in order. */
export function listAllExperimentRuns(experimentsDir: string): RunEntry[] {
  return subfolders(experimentsDir).reverse().flatMap((name) => listExperimentRuns(path.join(experimentsDir, name)));
}

/** What the curves panel offers: plain runs (newest first), then experiment runs. */
export function listCurveRuns(runsDir: string | null, experimentsDir: string | null): RunEntry[] {
  return [...(runsDir ? listRuns(runsDir) : []), ...(experimentsDir ? listAllExperimentRuns(experimentsDir) : [])];
}

/**
 * The folder of a run name as listed by listCurveRuns; null when the name cannot be one (empty, `..`,
 * or an experiment name without the folders it needs).
 */
export function curveRunDir(name: string, runsDir: string | null, experimentsDir: string | null): string | null {
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) return null;
  if (parts.length === 1) return runsDir ? path.join(runsDir, name) : null;
  if (!experimentsDir) return null;
  return path.join(experimentsDir, parts[0], EXPERIMENT_RUNS_FOLDER, ...parts.slice(1));
}
