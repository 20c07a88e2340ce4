// What Train SPO asks the trainer for: the user's choices, validated with the trainer's own config
// rules (messages name the field), and turned into the trainer's command line.
import * as fs from 'fs';
import * as path from 'path';
import type { BackendChoice } from '../model/backend';
import type { EngineChoice } from '../engine/engineChoice';
import { ALIGN_LOSSES, AlignLoss, ConfigError, resolveConfig } from '../train/config';

export interface TrainRequest {
  /** Preference file (absolute path). */
  data: string;
  /** HF model folder, or null for the embedded tiny preset. */
  model: string | null;
  loss: AlignLoss;
  /** SPO weight γ (spo.gamma). */
  gamma: number;
  /** SPO classes K (spo.classes). */
  classes: number;
  beta: number;
  maxSteps: number;
  backend: BackendChoice;
  /** The run folder to create (`<runs directory>/<run name>`, see newRunName). */
  runDir: string;
  /** A JSON config file (spo.config.json) the trainer reads first; the fields above override it. */
  configFile?: string | null;
  /** Further trainer config keys (e.g. `max_pairs`, `tiny.sft_steps`), passed as `--set KEY=VALUE`. */
  overrides?: Record<string, unknown>;
  seed?: number;
  /** tfjs | torch | auto (the setting spo.train.engine); absent = the trainer's default (tfjs). */
  engine?: EngineChoice;
  /** The torch engine's Python (spo.train.python, else the Python extension's interpreter); null = the trainer's default. */
  python?: string | null;
}

/** Field names as the user sees them in the pickers, for messages. */
const FIELD_LABELS: Record<string, string> = {
  loss: 'alignment loss', beta: 'β (beta)', 'spo.gamma': 'γ (SPO weight)', 'spo.classes': 'K (SPO classes)',
  max_steps: 'max steps', seed: 'seed', backend: 'backend', data: 'dataset', model: 'model',
};

/** The request as trainer config keys (TrainConfig names). */
export function requestConfigValues(req: TrainRequest): Record<string, unknown> {
  const values: Record<string, unknown> = {
    ...(req.overrides ?? {}),
    data: req.data, model: req.model, loss: req.loss, beta: req.beta, 'spo.gamma': req.gamma,
    'spo.classes': req.classes, max_steps: req.maxSteps, backend: req.backend,
  };
  if (req.seed !== undefined) values.seed = req.seed;
  return values;
}

/** null when the request can start; otherwise one message naming the field (and file) at fault. */
export function validateTrainRequest(req: TrainRequest): string | null {
  if (!req.data) return 'No dataset: open a preference file or pick one.';
  if (!fs.existsSync(req.data)) return `Dataset not found: ${req.data}`;
  if (req.model !== null) {
    if (!fs.existsSync(path.join(req.model, 'config.json'))) return `Model folder ${req.model} has no config.json (expected a Hugging Face model folder).`;
  }
  if (req.engine === 'torch' && req.model === null) return 'The torch engine trains a Hugging Face model: pick a model folder (the tiny preset trains on the TF.js engine; set spo.train.engine to tfjs or auto).';
  if (!ALIGN_LOSSES.includes(req.loss)) return `Alignment loss must be one of ${ALIGN_LOSSES.join(', ')}, got "${String(req.loss)}".`;
  try {
    resolveConfig([{ values: requestConfigValues(req) }]);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const key = /config key "([^"]+)"/.exec(err.message)?.[1];
    const label = key ? FIELD_LABELS[key] : undefined;
    return label ? `${label}: ${err.message}` : err.message;
  }
  return null;
}

/** Parse a number typed in an input box; returns a message naming the field when it is not one in range. */
export function checkNumberField(label: string, raw: string, min: number, max: number, integer: boolean, minExclusive = false): string | null {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) return `${label} must be a number`;
  if (integer && !Number.isInteger(n)) return `${label} must be an integer`;
  if (minExclusive ? n <= min : n < min) return `${label} must be ${minExclusive ? '>' : '≥'} ${min}`;
  if (n > max) return `${label} must be ≤ ${max}`;
  return null;
}

/** The trainer's command line (src/trainer/run.ts flags); `overrides` go through `--set KEY=VALUE`. */
export function trainerArgs(req: TrainRequest): string[] {
  const args = ['--data', req.data, '--loss', req.loss, '--beta', String(req.beta), '--gamma', String(req.gamma),
    '--classes', String(req.classes), '--max-steps', String(req.maxSteps), '--backend', req.backend, '--out', req.runDir];
  if (req.model) args.push('--model', req.model);
  else args.push('--preset', 'tiny');
  if (req.seed !== undefined) args.push('--seed', String(req.seed));
  if (req.configFile) args.push('--config', req.configFile);
  if (req.engine) args.push('--engine', req.engine);
  if (req.python) args.push('--python', req.python);
  for (const [key, value] of Object.entries(req.overrides ?? {})) {
    if (value !== null && value !== undefined) args.push('--set', `${key}=${String(value)}`);
  }
  return args;
}

/** A run name that sorts by creation time, in the trainer's own default format (UTC `20261127-002005`). */
export function newRunName(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
