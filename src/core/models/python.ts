// Which Python runs spo_torch, and where the package's source is, for model fetching and the reference
// scorer. The order is the engine contract's: an explicit choice, the project env made by
// `npm run setup:torch` (~/.cache/spo-studio/torch-env), then python3.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function projectPythonEnv(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'spo-studio', 'torch-env', 'bin', 'python');
}

/** `explicit`, else `$SPO_PYTHON`, else the project env when it exists, else `python3`. */
export function resolvePython(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.SPO_PYTHON) return env.SPO_PYTHON;
  const projectEnv = projectPythonEnv(env);
  return fs.existsSync(projectEnv) ? projectEnv : 'python3';
}

/**
 * The folder holding `spo_torch/` (the repo's `python/`), found upward from this file so it works from
 * out/src/core/models (tsc) and from dist/ (bundle); undefined when the package is installed instead.
 */
export function spoTorchSourceDir(from: string = __dirname): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'python');
    if (fs.existsSync(path.join(candidate, 'spo_torch', '__init__.py'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Environment for a `python -m spo_torch.…` child: the source folder first on PYTHONPATH. */
export function spoTorchEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const src = spoTorchSourceDir();
  if (!src) return { ...env };
  return { ...env, PYTHONPATH: env.PYTHONPATH ? `${src}${path.delimiter}${env.PYTHONPATH}` : src, PYTHONUNBUFFERED: '1' };
}
