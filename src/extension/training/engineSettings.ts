// The engine settings of Train SPO: `spo.train.engine` and the torch engine's Python — `spo.train.python`,
// else the interpreter selected in the VS Code Python extension (its published API), else none (the
// trainer then takes the project environment of npm run setup:torch, else python3). The extension host
// only reads paths here; it never runs Python itself.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { isEngineChoice } from '../../core/engine/engineChoice';
import type { ConfigLayer } from '../../core/train/config';

/**
 * The engine settings as a config layer (just above the other settings): `engine` always (its default is
 * the spec's), `python` only when the setting or the Python extension names one (else the trainer's default).
 */
export async function engineSettingsLayer(scope?: vscode.Uri): Promise<ConfigLayer> {
  const cfg = vscode.workspace.getConfiguration('spo.train', scope);
  const raw = cfg.get<string>('engine');
  const values: Record<string, unknown> = {};
  if (isEngineChoice(raw)) values.engine = raw;
  if (values.engine !== 'tfjs') {
    // Asked only when torch may run: activating the Python extension is not free.
    const python = (cfg.get<string>('python', '') ?? '').trim() || (await pythonExtensionInterpreter(scope));
    if (python) values.python = python;
  }
  return { values, where: 'VS Code settings (spo.train.engine, spo.train.python)' };
}

/** Minimal shape of ms-python.python's exported `environments` API (only what is read here). */
interface PythonEnvironmentsApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string } | undefined;
    resolveEnvironment?(env: { id: string; path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The Python extension's selected interpreter, or null when it is not installed or has none. */
export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | null> {
  const ext = vscode.extensions.getExtension<PythonEnvironmentsApi>('ms-python.python');
  if (!ext) return null;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const envs = api?.environments;
    const active = envs?.getActiveEnvironmentPath(resource ?? vscode.workspace.workspaceFolders?.[0]?.uri);
    if (!active) return null;
    const resolved = await envs?.resolveEnvironment?.(active);
    const exe = resolved?.executable?.uri?.fsPath ?? active.path;
    if (!exe) return null;
    // An environment folder (conda, venv) rather than its interpreter: take its python.
    if (fs.existsSync(exe) && fs.statSync(exe).isDirectory()) {
      const inside = [path.join(exe, 'bin', 'python'), path.join(exe, 'python.exe'), path.join(exe, 'Scripts', 'python.exe')].find((f) => fs.existsSync(f));
      return inside ?? null;
    }
    return exe;
  } catch {
    return null; // an extension that fails to activate must not block training
  }
}
