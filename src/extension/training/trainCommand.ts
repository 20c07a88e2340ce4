// Train SPO: gathers the training choices (an options argument, spo.config.json, or pickers that remember
// the last choice) as config keys, layers them over the settings that feed training (spo.keys.*,
// spo.train.backend), resolves and validates them, and hands the config to the run manager, which
// writes it to <run>/config.json and starts the trainer on it. Refused in untrusted workspaces.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { checkNumberField, newRunName, resolveTrainChoices, TrainChoices } from '../../core/runs';
import { ALIGN_LOSSES, AlignLoss, ConfigError, ConfigLayer, lossLabel, readConfigFileAsync, resolveConfig } from '../../core/train/config';
import { numericLimits, type ConfigKey } from '../../core/train/spec';
import { RunManager } from './runManager';
import { preflight } from './preflight';
import { projectConfigSummary } from '../../core/runs/projectConfigSummary';
import { trainingSettingsLayer } from './trainingSettings';
import { engineSettingsLayer } from './engineSettings';
import { modelChoices } from '../models/modelChoices';

/**
 * The Train SPO argument for scripted use (tests, other extensions): config keys, no pickers shown.
 * Relative `data`/`model` paths resolve against the workspace folder.
 */
export type TrainCommandOptions = TrainChoices;

/** What the command returns: the run it started, or undefined when cancelled/refused. */
export interface TrainCommandResult {
  run: string;
  runDir: string;
  pid: number | undefined;
}

/** The picker answers kept in workspaceState for next time. */
type RememberedChoices = Pick<TrainChoices, 'model' | 'loss_type' | 'spo_gamma' | 'spo_classes' | 'beta' | 'max_steps'>;

// v2: the keys are config keys since the training spec; older remembered answers are not read.
const LAST_CHOICES_KEY = 'spo.train.lastChoices.v2';
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
  const ready = await preflight(manager, { title: 'Train SPO', needsFolder: 'runs are written to its .spo/runs', offerCurves: true });
  if (!ready) return undefined;
  const { root, runsDir } = ready;
  const runDir = path.join(runsDir, newRunName(new Date()));
  const layers = isOptions(options)
    ? [{ values: withAbsolutePaths(options, root), where: 'Train SPO options' }]
    : await askChoices(context, root, options instanceof vscode.Uri ? options.fsPath : null);
  if (!layers) return undefined;
  // Settings first: a config file or the options override them. The data file scopes the settings read.
  const dataFile = layers.map((l) => l.values.data).filter((d): d is string => typeof d === 'string').pop();
  const scope = dataFile ? vscode.Uri.file(dataFile) : undefined;
  const resolved = resolveTrainChoices([trainingSettingsLayer(scope), await engineSettingsLayer(scope), ...layers], runDir);
  if ('problem' in resolved) {
    void vscode.window.showErrorMessage(`Train SPO: ${resolved.problem}`);
    return undefined;
  }
  let run;
  try {
    run = manager.start(resolved.config, root);
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

function withAbsolutePaths(o: TrainChoices, root: string): TrainChoices {
  return {
    ...o,
    data: path.resolve(root, o.data ?? ''),
    ...(o.model ? { model: path.resolve(root, o.model) } : {}),
    ...(o.eval_data ? { eval_data: path.resolve(root, o.eval_data) } : {}),
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

async function askChoices(context: vscode.ExtensionContext, root: string, fromTitle: string | null): Promise<ConfigLayer[] | null> {
  const data = fromTitle ?? (await pickDataset());
  if (!data) return null;
  const configFile = path.join(root, PROJECT_CONFIG);
  if (fs.existsSync(configFile)) return confirmProjectConfig(configFile, data, root);

  const defaults = resolveConfig([]);
  const last: RememberedChoices = {
    model: null, loss_type: defaults.loss_type, spo_gamma: defaults.spo_gamma, spo_classes: defaults.spo_classes, beta: defaults.beta, max_steps: defaults.max_steps,
    ...context.workspaceState.get<RememberedChoices>(LAST_CHOICES_KEY),
  };
  const title = (step: number) => `Train SPO on ${path.basename(data)} (${step}/6)`;
  const model = await pickModel(title(1), last.model ?? null);
  if (model === undefined) return null;
  const lastLoss = last.loss_type?.[0];
  const lossPick = await vscode.window.showQuickPick(
    ALIGN_LOSSES.map((l) => ({ label: l, description: l === lastLoss ? `${LOSS_DESCRIPTIONS[l]} (last used)` : LOSS_DESCRIPTIONS[l] })),
    { title: title(2), placeHolder: 'Alignment loss' });
  if (!lossPick) return null;
  const spo_gamma = await askNumber(title(3), 'γ: weight of the SPO preference-degree loss (0 = plain alignment loss)', 'spo_gamma', last.spo_gamma);
  if (spo_gamma === null) return null;
  const spo_classes = await askNumber(title(4), 'K: SPO degree classes (0 = intact … K−1 = all key content removed)', 'spo_classes', last.spo_classes);
  if (spo_classes === null) return null;
  const beta = await askNumber(title(5), 'β: strength of the KL penalty / reward scale', 'beta', last.beta);
  if (beta === null) return null;
  const max_steps = await askNumber(title(6), 'Max alignment steps', 'max_steps', last.max_steps);
  if (max_steps === null) return null;
  const choices: RememberedChoices = { model, loss_type: [lossPick.label as AlignLoss], spo_gamma, spo_classes, beta, max_steps };
  await context.workspaceState.update(LAST_CHOICES_KEY, choices);
  return [{ values: { ...choices, data }, where: 'Train SPO' }];
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

/** An input box for a numeric config key, limited by the key's own check in the training spec. */
async function askNumber(title: string, prompt: string, key: ConfigKey, last: number | undefined): Promise<number | null> {
  const label = prompt.split(':')[0];
  const { min, max, integer, minExclusive } = numericLimits(key);
  const raw = await vscode.window.showInputBox({
    title, prompt, value: String(last ?? ''),
    validateInput: (v) => checkNumberField(label, v, min, max, integer, minExclusive),
  });
  return raw === undefined ? null : Number(raw);
}

/** spo.config.json decides everything; the user only confirms (or opens it to edit). */
async function confirmProjectConfig(configFile: string, pickedData: string, root: string): Promise<ConfigLayer[] | null> {
  let values: Record<string, unknown>;
  let cfg;
  try {
    values = await readConfigFileAsync(configFile);
    cfg = resolveConfig([{ values: { data: pickedData }, where: 'defaults' }, { values, where: configFile }]);
  } catch (err) {
    const action = await vscode.window.showErrorMessage(`Train SPO: ${(err as Error).message}`, 'Open spo.config.json');
    if (action) void vscode.window.showTextDocument(vscode.Uri.file(configFile));
    if (!(err instanceof ConfigError)) throw err;
    return null;
  }
  const data = path.resolve(root, cfg.data);
  const model = cfg.model ? path.resolve(root, cfg.model) : null;
  // Full paths and the values that override the picker (a repository's config can point anywhere).
  const backend = vscode.workspace.getConfiguration('spo.train').get<string>('backend', 'auto');
  const summary = projectConfigSummary(cfg, root, { data: pickedData, backend });
  const action = await vscode.window.showInformationMessage(`Train SPO with ${PROJECT_CONFIG}?`, { modal: true, detail: summary }, 'Start Training', 'Open spo.config.json');
  if (action === 'Open spo.config.json') void vscode.window.showTextDocument(vscode.Uri.file(configFile));
  if (action !== 'Start Training') return null;
  return [
    { values: { data: pickedData }, where: 'defaults' },
    { values: { ...values, data, model, ...(cfg.eval_data ? { eval_data: path.resolve(root, cfg.eval_data) } : {}) }, where: configFile },
  ];
}
