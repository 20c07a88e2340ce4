// Train SPO: gathers a TrainRequest (an options argument, spo.config.json, or pickers that remember
// the last choice), validates it, and hands it to the run manager. Refused in untrusted workspaces.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { refuseInUntrustedWorkspace } from '../workspaceTrust';
import { checkNumberField, newRunName, TrainRequest, validateTrainRequest } from '../../core/runs';
import type { BackendChoice } from '../../core/model/backend';
import { ALIGN_LOSSES, AlignLoss, ConfigError, readConfigFile, resolveConfig } from '../../core/train/config';
import { CommandId } from '../commandIds';
import { RunManager } from './runManager';
import { runsDirectory, workspaceRoot } from './runsLocation';
import { modelChoices } from '../models/modelChoices';

/** The Train SPO argument for scripted use (tests, other extensions): no pickers are shown. */
export interface TrainCommandOptions {
  data?: string;
  model?: string | null;
  preset?: 'tiny';
  loss?: AlignLoss;
  gamma?: number;
  classes?: number;
  beta?: number;
  maxSteps?: number;
  seed?: number;
  backend?: BackendChoice;
  /** Further trainer config keys (e.g. `max_pairs`, `tiny.sft_steps`). */
  overrides?: Record<string, unknown>;
}

/** What the command returns: the run it started, or undefined when cancelled/refused. */
export interface TrainCommandResult {
  run: string;
  runDir: string;
  pid: number | undefined;
}

/** The picker answers kept in workspaceState for next time. */
type RememberedChoices = Pick<TrainRequest, 'model' | 'loss' | 'gamma' | 'classes' | 'beta' | 'maxSteps'>;

const LAST_CHOICES_KEY = 'spo.train.lastChoices';
const PROJECT_CONFIG = 'spo.config.json';
const DATA_EXTENSIONS = ['jsonl', 'json', 'gz'];

const LOSS_DESCRIPTIONS: Record<AlignLoss, string> = {
  sigmoid: 'DPO (Rafailov et al.): −log σ(β·margin)',
  ipo: 'IPO: squared distance of the margin to 1/(2β)',
  hinge: 'SLiC: hinge on β·margin',
  simpo: 'SimPO: reference-free, length-normalised',
  orpo: 'ORPO: odds ratio + NLL on chosen, reference-free',
};

export async function trainCommand(context: vscode.ExtensionContext, manager: RunManager, options?: TrainCommandOptions | vscode.Uri): Promise<TrainCommandResult | undefined> {
  if (await refuseInUntrustedWorkspace('Train SPO')) return undefined;
  const root = workspaceRoot();
  const runsDir = runsDirectory();
  if (!root || !runsDir) {
    void vscode.window.showErrorMessage('Train SPO needs an open folder: runs are written to its .spo/runs.');
    return undefined;
  }
  if (manager.current) {
    const action = await vscode.window.showWarningMessage(`A training run is already active (${manager.current.name}). Stop it first.`, 'Stop Training', 'Show Curves');
    if (action === 'Stop Training') void vscode.commands.executeCommand(CommandId.StopTraining);
    if (action === 'Show Curves') void vscode.commands.executeCommand(CommandId.ShowCurves);
    return undefined;
  }
  const runDir = path.join(runsDir, newRunName(new Date()));
  const backend = vscode.workspace.getConfiguration('spo.train').get<BackendChoice>('backend', 'auto');
  const request = isOptions(options)
    ? fromOptions(options, root, runDir, backend)
    : await askRequest(context, root, runDir, backend, options instanceof vscode.Uri ? options.fsPath : null);
  if (!request) return undefined;
  const problem = validateTrainRequest(request);
  if (problem) {
    void vscode.window.showErrorMessage(`Train SPO: ${problem}`);
    return undefined;
  }
  let run;
  try {
    run = manager.start(request, root);
  } catch (err) {
    void vscode.window.showErrorMessage(`Train SPO: ${(err as Error).message}`);
    return undefined;
  }
  return { run: run.name ?? path.basename(runDir), runDir, pid: run.process.pid };
}

function isOptions(value: unknown): value is TrainCommandOptions {
  // Invoked from the editor title, VS Code passes the file's Uri: that is a dataset, not options.
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri) && 'data' in value;
}

function fromOptions(o: TrainCommandOptions, root: string, runDir: string, backend: BackendChoice): TrainRequest {
  return {
    data: path.resolve(root, o.data ?? ''),
    model: o.model ? path.resolve(root, o.model) : null,
    loss: o.loss ?? 'sigmoid', gamma: o.gamma ?? 0.1, classes: o.classes ?? 4, beta: o.beta ?? 0.1,
    maxSteps: o.maxSteps ?? 200, seed: o.seed, backend: o.backend ?? backend, runDir, overrides: o.overrides,
  };
}

function activeDataset(): string | null {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file') return null;
  return DATA_EXTENSIONS.some((ext) => doc.fileName.endsWith(`.${ext}`)) ? doc.fileName : null;
}

async function pickDataset(): Promise<string | null> {
  const active = activeDataset();
  if (active) return active;
  const picked = await vscode.window.showOpenDialog({
    title: 'Train SPO: preference dataset', canSelectMany: false, openLabel: 'Train on this file',
    filters: { 'Preference data': DATA_EXTENSIONS },
  });
  return picked?.[0]?.fsPath ?? null;
}

async function askRequest(context: vscode.ExtensionContext, root: string, runDir: string, backend: BackendChoice, fromTitle: string | null): Promise<TrainRequest | null> {
  const data = fromTitle ?? (await pickDataset());
  if (!data) return null;
  const configFile = path.join(root, PROJECT_CONFIG);
  if (fs.existsSync(configFile)) return confirmProjectConfig(configFile, data, root, runDir, backend);

  const last = context.workspaceState.get<RememberedChoices>(LAST_CHOICES_KEY) ?? { model: null, loss: 'sigmoid', gamma: 0.1, classes: 4, beta: 0.1, maxSteps: 200 };
  const title = (step: number) => `Train SPO on ${path.basename(data)} (${step}/6)`;
  const model = await pickModel(title(1), last.model);
  if (model === undefined) return null;
  const lossPick = await vscode.window.showQuickPick(
    ALIGN_LOSSES.map((l) => ({ label: l, description: l === last.loss ? `${LOSS_DESCRIPTIONS[l]} (last used)` : LOSS_DESCRIPTIONS[l] })),
    { title: title(2), placeHolder: 'Alignment loss' });
  if (!lossPick) return null;
  const gamma = await askNumber(title(3), 'γ: weight of the SPO preference-degree loss (0 = plain alignment loss)', last.gamma, 0, 100, false);
  if (gamma === null) return null;
  const classes = await askNumber(title(4), 'K: SPO degree classes (0 = intact … K−1 = all key content removed)', last.classes, 2, 64, true);
  if (classes === null) return null;
  const beta = await askNumber(title(5), 'β: strength of the KL penalty / reward scale', last.beta, 0, 100, false, true);
  if (beta === null) return null;
  const maxSteps = await askNumber(title(6), 'Max alignment steps', last.maxSteps, 1, 1e9, true);
  if (maxSteps === null) return null;
  const loss = lossPick.label as AlignLoss;
  await context.workspaceState.update(LAST_CHOICES_KEY, { model, loss, gamma, classes, beta, maxSteps } satisfies RememberedChoices);
  return { data, model, loss, gamma, classes, beta, maxSteps, backend, runDir };
}

/** undefined = cancelled; null = the embedded tiny preset. */
async function pickModel(title: string, last: string | null): Promise<string | null | undefined> {
  const items: Array<vscode.QuickPickItem & { value: 'tiny' | 'last' | 'folder' | 'path'; path?: string }> = [
    { label: '$(sparkle) Embedded tiny GPT', description: 'tokenizer + small GPT-2 + SFT reference trained on the data (minutes on a CPU)', value: 'tiny' },
  ];
  if (last) items.push({ label: `$(folder) ${path.basename(last)}`, description: `last used: ${last}`, value: 'last' });
  for (const m of await modelChoices()) if (m.path !== last) items.push({ ...m, value: 'path' });
  items.push({ label: '$(folder-opened) Hugging Face model folder…', description: 'config.json + model.safetensors + tokenizer.json', value: 'folder' });
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Model to align' });
  if (!pick) return undefined;
  if (pick.value === 'tiny') return null;
  if (pick.value === 'last') return last;
  if (pick.value === 'path') return pick.path!;
  const folder = await vscode.window.showOpenDialog({ title: 'Hugging Face model folder', canSelectFiles: false, canSelectFolders: true, canSelectMany: false });
  return folder?.[0]?.fsPath ?? undefined;
}

async function askNumber(title: string, prompt: string, last: number, min: number, max: number, integer: boolean, minExclusive = false): Promise<number | null> {
  const label = prompt.split(':')[0];
  const raw = await vscode.window.showInputBox({
    title, prompt, value: String(last),
    validateInput: (v) => checkNumberField(label, v, min, max, integer, minExclusive),
  });
  return raw === undefined ? null : Number(raw);
}

/** spo.config.json decides everything; the user only confirms (or opens it to edit). */
async function confirmProjectConfig(configFile: string, pickedData: string, root: string, runDir: string, backend: BackendChoice): Promise<TrainRequest | null> {
  let cfg;
  try {
    const values = readConfigFile(configFile);
    cfg = resolveConfig([{ values: { data: pickedData, backend }, where: 'defaults' }, { values, where: configFile }]);
  } catch (err) {
    const action = await vscode.window.showErrorMessage(`Train SPO: ${(err as Error).message}`, 'Open spo.config.json');
    if (action) void vscode.window.showTextDocument(vscode.Uri.file(configFile));
    if (!(err instanceof ConfigError)) throw err;
    return null;
  }
  const data = path.resolve(root, cfg.data);
  const model = cfg.model ? path.resolve(root, cfg.model) : null;
  const summary = `${path.basename(data)} · ${model ? path.basename(model) : 'tiny preset'} · ${cfg.loss} · γ=${cfg['spo.gamma']} · K=${cfg['spo.classes']} · β=${cfg.beta} · ${cfg.max_steps} steps`;
  const action = await vscode.window.showInformationMessage(`Train SPO with ${PROJECT_CONFIG}?`, { modal: true, detail: summary }, 'Start Training', 'Open spo.config.json');
  if (action === 'Open spo.config.json') void vscode.window.showTextDocument(vscode.Uri.file(configFile));
  if (action !== 'Start Training') return null;
  return {
    data, model, loss: cfg.loss, gamma: cfg['spo.gamma'], classes: cfg['spo.classes'], beta: cfg.beta, maxSteps: cfg.max_steps,
    seed: cfg.seed, backend: cfg.backend, runDir, configFile,
  };
}
