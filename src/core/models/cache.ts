// The user's model cache: one complete HF folder per model, made by renaming a finished `.partial-*`
// folder into place, so a folder under its own name is always whole.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PROVENANCE_FILE = 'spo-model.json';
const PARTIAL_PREFIX = '.partial-';

/** `$SPO_MODELS_DIR`, else `$XDG_CACHE_HOME/spo-studio/models`, else `~/.cache/spo-studio/models`. */
export function modelsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPO_MODELS_DIR) return path.resolve(env.SPO_MODELS_DIR);
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'spo-studio', 'models');
}

export interface FetchedModel {
  path: string;
  name: string;
  source: string;
  /** Bytes of all files in the folder. */
  size: number;
}

function folderSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderSize(p) : entry.isFile() ? fs.statSync(p).size : 0;
  }
  return total;
}

/** The cached model in `dir`, or undefined when there is none (a folder without its provenance is not ours). */
export function readFetchedModel(dir: string): FetchedModel | undefined {
  const file = path.join(dir, PROVENANCE_FILE);
  if (!fs.existsSync(file) || !fs.existsSync(path.join(dir, 'config.json'))) return undefined;
  try {
    const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; source?: string };
    return { path: dir, name: p.name ?? path.basename(dir), source: p.source ?? 'unknown', size: folderSize(dir) };
  } catch {
    return undefined;
  }
}

/** Every complete model in the cache, by name. */
export function listFetchedModels(cacheDir: string = modelsCacheDir()): FetchedModel[] {
  if (!fs.existsSync(cacheDir)) return [];
  return fs.readdirSync(cacheDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => readFetchedModel(path.join(cacheDir, e.name)))
    .filter((m): m is FetchedModel => m !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh `.partial-NAME-PID` folder path (not created) for a fetch to write into. */
export function partialFolder(cacheDir: string, folderName: string): string {
  return path.join(cacheDir, `${PARTIAL_PREFIX}${folderName}-${process.pid}`);
}

/** Remove partial folders left by fetches that were killed (their process is gone). */
export function removeStalePartials(cacheDir: string): string[] {
  if (!fs.existsSync(cacheDir)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(cacheDir)) {
    const m = name.startsWith(PARTIAL_PREFIX) ? /-(\d+)$/.exec(name) : null;
    if (!m || (Number(m[1]) !== process.pid && isAlive(Number(m[1])))) continue;
    fs.rmSync(path.join(cacheDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
