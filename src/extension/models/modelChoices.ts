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

function isModelFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'tokenizer.json'))
    && (fs.existsSync(path.join(dir, 'model.safetensors')) || fs.existsSync(path.join(dir, 'model.safetensors.index.json')));
}

export async function modelChoices(): Promise<ModelChoice[]> {
  const fetched = listFetchedModels().map((m) => ({
    label: `$(package) ${m.name}`, description: `fetched · ${(m.size / 2 ** 20).toFixed(0)} MiB · ${m.source}`, path: m.path,
  }));
  const configs = await vscode.workspace.findFiles('**/config.json', '{**/node_modules/**,**/.spo/**,**/.git/**}', 200);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const inWorkspace = configs.map((u) => path.dirname(u.fsPath)).filter(isModelFolder).sort().map((dir) => ({
    label: `$(folder) ${path.basename(dir)}`, description: `in the workspace · ${root ? path.relative(root, dir) || '.' : dir}`, path: dir,
  }));
  return [...fetched, ...inWorkspace];
}
