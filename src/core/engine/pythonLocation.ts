// Which Python runs the torch engine (issue 12 §4), first that applies: `--python`, the setting
// `spo.train.python`, the interpreter the VS Code Python extension has selected (the extension host
// passes it in; src/core never imports vscode), the project environment made by `npm run setup:torch`,
// else `python3` on PATH.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type PythonSource = 'flag' | 'setting' | 'python-extension' | 'project-env' | 'path';

export interface PythonChoice {
  /** An absolute path, or a bare name resolved on PATH (`python3`). */
  command: string;
  source: PythonSource;
}

export interface PythonHints {
  /** `--python`. */
  flag?: string | null;
  /** `spo.train.python` (empty = unset). */
  setting?: string | null;
  /** The Python extension's active interpreter (environments.getActiveEnvironmentPath). */
  pythonExtension?: string | null;
  env?: NodeJS.ProcessEnv;
}

/** The project environment's folder: `$SPO_TORCH_ENV`, else ~/.cache/spo-studio/torch-env. */
export function projectEnvDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPO_TORCH_ENV && env.SPO_TORCH_ENV.trim() ? path.resolve(env.SPO_TORCH_ENV) : path.join(os.homedir(), '.cache', 'spo-studio', 'torch-env');
}

/** The project environment's interpreter (bin/python; Scripts\python.exe on Windows). */
export function projectEnvPython(env: NodeJS.ProcessEnv = process.env): string {
  const dir = projectEnvDir(env);
  return process.platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
}

const given = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';

export function choosePython(hints: PythonHints = {}): PythonChoice {
  if (given(hints.flag)) return { command: hints.flag, source: 'flag' };
  if (given(hints.setting)) return { command: hints.setting, source: 'setting' };
  if (given(hints.pythonExtension)) return { command: hints.pythonExtension, source: 'python-extension' };
  const envPython = projectEnvPython(hints.env);
  if (fs.existsSync(envPython)) return { command: envPython, source: 'project-env' };
  return { command: process.platform === 'win32' ? 'python' : 'python3', source: 'path' };
}

export function describePythonSource(source: PythonSource): string {
  return {
    flag: '--python',
    setting: 'the setting spo.train.python',
    'python-extension': "the Python extension's selected interpreter",
    'project-env': 'the project environment (npm run setup:torch)',
    path: 'python3 on PATH',
  }[source];
}

/**
 * The repository's python/ folder when this code runs from a checkout (out/… or dist/…): put first on
 * PYTHONPATH so the engine that runs is the one beside this TS code, installed or not.
 */
export function engineSourceDir(from = __dirname): string | null {
  let dir = from;
  for (let up = 0; up < 6; up++) {
    if (fs.existsSync(path.join(dir, 'python', 'spo_torch', '__init__.py'))) return path.join(dir, 'python');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The child environment: PYTHONPATH gets the engine source; no npm_config_* leaks into pip or Python. */
export function pythonChildEnv(base: NodeJS.ProcessEnv = process.env, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!/^npm_/i.test(k)) env[k] = v;
  const src = engineSourceDir();
  if (src) env.PYTHONPATH = [src, env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  env.PYTHONUNBUFFERED = '1';
  return { ...env, ...extra };
}
