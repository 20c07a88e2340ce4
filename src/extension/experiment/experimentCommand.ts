// Run SPO vs DPO Experiment: gathers an ExperimentRequest (an options argument, or pickers for the
// dataset, seeds, max_steps and sweep) and starts it in the experiment manager. Refused in untrusted workspaces.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  checkExperimentName, checkNumberField, EXPERIMENT_FILES, EXPERIMENT_SWEEPS, ExperimentRequest, ExperimentSweepKey, newExperimentName,
} from '../../core/runs';
import { checkValue, DEFAULT_CONFIG, keySpec, numericLimits } from '../../core/train/spec';
import { jobPreflight } from '../training/preflight';
import { experimentsDirectory } from '../training/runsLocation';
import { ExperimentManager } from './experimentManager';

/** The scripted argument (tests, other extensions): no pickers are shown. Budget knobs use the training spec's names. */
export interface ExperimentCommandOptions {
  data: string;
  seeds?: number;
  /** Alignment steps per run; absent or null = the trainer's default. */
  max_steps?: number | null;
  /** 'none' (default), a preset sweep (the values of EXPERIMENT_SWEEPS), or explicit values. */
  sweep?: 'none' | ExperimentSweepKey | { key: ExperimentSweepKey; values: number[] };
  /** Folder name under .spo/experiments; default `spo-vs-dpo[-sweep]-<time>`. */
  name?: string;
  model?: string | null;
  /** Use only the first N pairs of the file (0 or absent = all). */
  max_pairs?: number;
  /** Trainer config keys (`tiny_d_model`, `per_device_train_batch_size`, ...), passed as `--set`. */
  overrides?: Record<string, unknown>;
  /** Open the summary and the curves when it finishes (default true). */
  openResults?: boolean;
}

export interface ExperimentCommandResult {
  name: string;
  outDir: string;
  pid: number | undefined;
}

interface RememberedChoices { seeds: number; max_steps: number; sweep: 'none' | ExperimentSweepKey }
const LAST_CHOICES_KEY = 'spo.experiment.lastChoices';
const DEFAULT_CHOICES: RememberedChoices = { seeds: 3, max_steps: DEFAULT_CONFIG.max_steps, sweep: 'none' };
/** Option names of earlier versions, with today's name: refused with a message rather than silently ignored. */
const RENAMED_OPTIONS: Record<string, keyof ExperimentCommandOptions> = { steps: 'max_steps', maxPairs: 'max_pairs' };
const TITLE = 'Run SPO vs DPO Experiment';
const DATA_EXTENSIONS = ['jsonl', 'json', 'gz'];

export async function experimentCommand(context: vscode.ExtensionContext, manager: ExperimentManager, options?: ExperimentCommandOptions | vscode.Uri): Promise<ExperimentCommandResult | undefined> {
  const live = manager.current;
  const ready = await jobPreflight({
    title: TITLE, needsFolder: 'results are written to its .spo/experiments', outputDir: experimentsDirectory(),
    active: live ? { message: `An experiment is already running (${live.name}); cancel it from its progress notification first.`, actions: [] } : null,
  });
  if (!ready) return undefined;
  const { root, outputDir: experimentsDir } = ready;
  const scripted = typeof options === 'object' && options !== null && !(options instanceof vscode.Uri) && 'data' in options;
  const backend = vscode.workspace.getConfiguration('spo.train').get<string>('backend', 'auto');
  const request = scripted
    ? fromOptions(options, root, experimentsDir)
    : await askRequest(context, experimentsDir, options instanceof vscode.Uri ? options.fsPath : null);
  if (typeof request === 'string') {
    void vscode.window.showErrorMessage(`${TITLE}: ${request}`);
    return undefined;
  }
  if (!request) return undefined;
  if (backend && backend !== 'auto' && !(request.overrides && 'backend' in request.overrides)) request.overrides = { ...request.overrides, backend };
  const problem = checkRequest(request);
  if (problem) {
    void vscode.window.showErrorMessage(`${TITLE}: ${problem}`);
    return undefined;
  }
  const started = manager.start(request, root, scripted ? options.openResults !== false : true);
  return { name: started.name, outDir: request.outDir, pid: started.process.pid };
}

function checkRequest(req: ExperimentRequest): string | null {
  if (!fs.existsSync(req.data)) return `dataset not found: ${req.data}`;
  if (!Number.isInteger(req.seeds) || req.seeds < 1) return `seeds must be a positive integer, got ${req.seeds}`;
  const badSteps = req.max_steps === null ? null : checkValue(keySpec('max_steps'), req.max_steps);
  if (badSteps) return `max_steps ${badSteps}, got ${req.max_steps}`;
  if (req.model && !fs.existsSync(path.join(req.model, 'config.json'))) return `model folder ${req.model} has no config.json (expected a Hugging Face model folder)`;
  if (fs.existsSync(path.join(req.outDir, EXPERIMENT_FILES.results))) return `${req.outDir} already holds an experiment (${EXPERIMENT_FILES.results}); pick another name`;
  return null;
}

/** The request from the options argument, or a message naming the bad field. */
function fromOptions(o: ExperimentCommandOptions, root: string, experimentsDir: string): ExperimentRequest | string {
  const renamed = Object.keys(RENAMED_OPTIONS).find((old) => old in o);
  if (renamed) return `the option "${renamed}" is now "${RENAMED_OPTIONS[renamed]}" (the training spec's name)`;
  const sweep = o.sweep === undefined || o.sweep === 'none' ? null
    : typeof o.sweep === 'string' ? { key: o.sweep, values: EXPERIMENT_SWEEPS[o.sweep] } : o.sweep;
  if (sweep && !(sweep.key in EXPERIMENT_SWEEPS)) return `sweep must be none, classes or gamma, got "${String(sweep.key)}"`;
  const name = o.name ?? newExperimentName(new Date(), sweep?.key ?? null);
  const badName = checkExperimentName(name);
  if (badName) return badName;
  return {
    data: path.resolve(root, o.data), outDir: path.join(experimentsDir, name), seeds: o.seeds ?? DEFAULT_CHOICES.seeds,
    max_steps: o.max_steps ?? null, sweep, model: o.model ? path.resolve(root, o.model) : null, max_pairs: o.max_pairs, overrides: o.overrides,
  };
}

function activeDataset(): string | null {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file') return null;
  return DATA_EXTENSIONS.some((ext) => doc.fileName.endsWith(`.${ext}`)) ? doc.fileName : null;
}

async function askRequest(context: vscode.ExtensionContext, experimentsDir: string, fromTitle: string | null): Promise<ExperimentRequest | null> {
  const data = fromTitle ?? activeDataset() ?? (await vscode.window.showOpenDialog({
    title: 'SPO vs DPO experiment: preference dataset', canSelectMany: false, openLabel: 'Use this file',
    filters: { 'Preference data': DATA_EXTENSIONS },
  }))?.[0]?.fsPath;
  if (!data) return null;
  const last = { ...DEFAULT_CHOICES, ...context.workspaceState.get<Partial<RememberedChoices>>(LAST_CHOICES_KEY) };
  const stepLimits = numericLimits('max_steps');
  const title = (step: number) => `SPO vs DPO experiment on ${path.basename(data)} (${step}/3)`;
  const seedsRaw = await vscode.window.showInputBox({
    title: title(1), prompt: 'Seeds: each arm is trained once per seed (1..N), same data split and budget', value: String(last.seeds),
    validateInput: (v) => checkNumberField('Seeds', v, 1, 100, true),
  });
  if (seedsRaw === undefined) return null;
  const stepsRaw = await vscode.window.showInputBox({
    title: title(2), prompt: 'Alignment steps per run, max_steps (every arm gets the same budget)', value: String(last.max_steps),
    validateInput: (v) => checkNumberField('Steps', v, stepLimits.min, stepLimits.max, stepLimits.integer, stepLimits.minExclusive),
  });
  if (stepsRaw === undefined) return null;
  type SweepItem = vscode.QuickPickItem & { value: RememberedChoices['sweep'] };
  const sweepItems: SweepItem[] = ([
    { label: 'DPO vs DPO+SPO', description: 'γ and K from the trainer defaults', value: 'none' },
    { label: `Sweep K: classes=${EXPERIMENT_SWEEPS.classes.join(',')}`, description: 'DPO vs DPO+SPO at each number of degree classes', value: 'classes' },
    { label: `Sweep γ: gamma=${EXPERIMENT_SWEEPS.gamma.join(',')}`, description: 'DPO vs DPO+SPO at each SPO loss weight', value: 'gamma' },
  ] satisfies SweepItem[]).map((i): SweepItem => (i.value === last.sweep ? { ...i, description: `${i.description} (last used)` } : i));
  const sweepPick = await vscode.window.showQuickPick(sweepItems, { title: title(3), placeHolder: 'What to compare' });
  if (!sweepPick) return null;
  const choices: RememberedChoices = { seeds: Number(seedsRaw), max_steps: Number(stepsRaw), sweep: sweepPick.value };
  await context.workspaceState.update(LAST_CHOICES_KEY, choices);
  const sweep = choices.sweep === 'none' ? null : { key: choices.sweep, values: EXPERIMENT_SWEEPS[choices.sweep] };
  return {
    data, outDir: path.join(experimentsDir, newExperimentName(new Date(), sweep?.key ?? null)),
    seeds: choices.seeds, max_steps: choices.max_steps, sweep, model: null,
  };
}
