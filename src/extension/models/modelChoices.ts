// The models Train SPO offers besides the tiny preset: fetched models from the cache and HF model
// folders found in the workspace (config.json + safetensors + tokenizer.json; run checkpoints excluded).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { listFetchedModels } from '../../core/models/index';

export interface ModelChoice {
  label: string;
  description: string;
  path: string;
}

async function exists(file: string): Promise<boolean> {
  return fs.promises.stat(file).then(() => true, () => false);
}

async function isModelFolder(dir: string): Promise<boolean> {
  return await exists(path.join(dir, 'tokenizer.json'))
    && (await exists(path.join(dir, 'model.safetensors')) || await exists(path.join(dir, 'model.safetensors.index.json')));
}

export async function modelChoices(): Promise<ModelChoice[]> {
  const fetched = listFetchedModels().map((m) => ({
    label: `$(package) ${m.name}`, description: `fetched · ${(m.size / 2 ** 20).toFixed(0)} MiB · ${m.source}`, path: m.path,
  }));
  const configs = await vscode.workspace.findFiles('**/config.json', '{**/node_modules/**,**/.spo/**,**/.git/**}', 200);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const folders: string[] = [];
  for (const dir of configs.map((u) => path.dirname(u.fsPath))) if (await isModelFolder(dir)) folders.push(dir);
  const inWorkspace = folders.sort().map((dir) => ({
    label: `$(folder) ${path.basename(dir)}`, description: `in the workspace · ${root ? path.relative(root, dir) || '.' : dir}`, path: dir,
  }));
  return [...fetched, ...inWorkspace];
}
