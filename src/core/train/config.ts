// Every training knob in one place: defaults (spo-method.md; TRL's where the method is silent),
// validation with messages naming the key, and merging a JSON config file with CLI flags.
import * as fs from 'fs';
import { EXTRACTOR_NAMES, ExtractorName } from '../keys';
import { BACKEND_CHOICES, BackendChoice } from '../model/backend';
import { READ_LIMITS, readRegularFileSync } from '../fs/safeFiles';

export type AlignLoss = 'sigmoid' | 'ipo' | 'hinge' | 'simpo' | 'orpo';
export const ALIGN_LOSSES: readonly AlignLoss[] = ['sigmoid', 'ipo', 'hinge', 'simpo', 'orpo'];
export type Pooling = 'mean' | 'last';

export interface TrainConfig {
  /** Preference file (any format src/core/data reads). */
  data: string;
  /** Run folder; default `.spo/runs/<timestamp>`. */
  out: string | null;
  /** `tiny`: train a tokenizer + small GPT-2 + SFT reference on the data. Ignored when `model` is set. */
  preset: 'tiny';
  /** HF folder (config.json + model.safetensors + tokenizer.json) to start from instead of the preset. */
  model: string | null;
  backend: BackendChoice;
  seed: number;

  // Alignment loss (TRL names).
  loss: AlignLoss;
  beta: number;
  label_smoothing: number;
  simpo_gamma: number;
  /** ORPO's λ weighting the odds-ratio term (TRL calls it `beta` in ORPOConfig). */
  orpo_lambda: number;
  precompute_ref_log_probs: boolean;

  // SPO (spo-method.md §1–3).
  extractor: ExtractorName;
  maxKeys: number;
  'spo.classes': number;
  'spo.gamma': number;
  'spo.pooling': Pooling;

  // Optimisation (nanoGPT-style AdamW, warmup + cosine).
  /** null = auto: 1e-3 for the tiny preset, 5e-6 for a given model. */
  learning_rate: number | null;
  min_lr_ratio: number;
  warmup_steps: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  max_grad_norm: number;
  batch_size: number;
  max_steps: number;
  max_length: number;

  // Held-out split and cadence.
  /**
   * Preference file used as the held-out set instead of a random `eval_fraction` split (TRL's
   * eval_dataset): all its pairs are evaluated, `data` is all training. null = split `data`.
   */
  eval_data: string | null;
  /** Share of `data` held out at random (ignored when `eval_data` is set). */
  eval_fraction: number;
  eval_max_pairs: number;
  eval_every: number;
  log_every: number;
  save_every: number;

  // Tiny preset (tokenizer + GPT-2 shape + SFT phase).
  'tiny.vocab_size': number;
  'tiny.d_model': number;
  'tiny.n_layers': number;
  'tiny.n_heads': number;
  'tiny.context_length': number;
  'tiny.sft_steps': number;
  'tiny.sft_learning_rate': number;

  /** Stop after this many examples are read from the data file (0 = all). */
  max_pairs: number;
  /**
   * Write degrees.jsonl (every pair's model / SPO / data degree) at the end of the run. false skips
   * that pass (minutes on a CPU for big files); the run still ends `completed` after the final checkpoint.
   */
  write_degrees: boolean;
}

export const DEFAULT_CONFIG: TrainConfig = {
  data: '',
  out: null,
  preset: 'tiny',
  model: null,
  backend: 'auto',
  seed: 42,
  loss: 'sigmoid',
  beta: 0.1,
  label_smoothing: 0,
  simpo_gamma: 0.5,
  orpo_lambda: 0.1,
  precompute_ref_log_probs: false,
  extractor: 'rake',
  maxKeys: 8,
  'spo.classes': 4,
  'spo.gamma': 0.1,
  'spo.pooling': 'mean',
  learning_rate: null,
  min_lr_ratio: 0.1,
  warmup_steps: 10,
  weight_decay: 0,
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
  max_grad_norm: 1.0,
  batch_size: 8,
  max_steps: 200,
  max_length: 128,
  eval_data: null,
  eval_fraction: 0.1,
  eval_max_pairs: 128,
  eval_every: 50,
  log_every: 1,
  save_every: 100,
  'tiny.vocab_size': 1500,
  'tiny.d_model': 128,
  'tiny.n_layers': 2,
  'tiny.n_heads': 4,
  'tiny.context_length': 128,
  'tiny.sft_steps': 150,
  'tiny.sft_learning_rate': 3e-3,
  max_pairs: 0,
  write_degrees: true,
};

type Check = (value: unknown) => string | null;
const num = (min: number, max = Infinity, integer = false, minExclusive = false): Check => (v) => {
  const ok = typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max && (!integer || Number.isInteger(v));
  if (ok) return null;
  const range = max === Infinity ? `${minExclusive ? '>' : '≥'} ${min}` : `in [${min}, ${max}]`;
  return `must be ${integer ? 'an integer' : 'a number'} ${range}`;
};
const oneOf = (options: readonly string[]): Check => (v) =>
  typeof v === 'string' && options.includes(v) ? null : `must be one of ${options.map((o) => `"${o}"`).join(', ')}`;
const str: Check = (v) => (typeof v === 'string' ? null : 'must be a string');
const strOrNull: Check = (v) => (v === null || typeof v === 'string' ? null : 'must be a string or null');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');

const CHECKS: { [K in keyof TrainConfig]: Check } = {
  data: str,
  out: strOrNull,
  preset: oneOf(['tiny']),
  model: strOrNull,
  backend: oneOf(BACKEND_CHOICES),
  seed: num(0, 2 ** 32 - 1, true),
  loss: oneOf(ALIGN_LOSSES),
  beta: num(0, Infinity, false, true),
  label_smoothing: num(0, 0.5),
  simpo_gamma: num(0),
  orpo_lambda: num(0),
  precompute_ref_log_probs: bool,
  extractor: oneOf(EXTRACTOR_NAMES),
  maxKeys: num(1, 64, true),
  'spo.classes': num(2, 64, true),
  'spo.gamma': num(0),
  'spo.pooling': oneOf(['mean', 'last']),
  learning_rate: (v) => (v === null ? null : num(0, Infinity, false, true)(v)),
  min_lr_ratio: num(0, 1),
  warmup_steps: num(0, Infinity, true),
  weight_decay: num(0),
  adam_beta1: num(0, 0.999999),
  adam_beta2: num(0, 0.999999),
  adam_epsilon: num(0, 1, false, true),
  max_grad_norm: num(0),
  batch_size: num(1, 4096, true),
  max_steps: num(1, 1e9, true),
  max_length: num(8, 1e6, true),
  eval_data: strOrNull,
  eval_fraction: num(0, 0.5),
  eval_max_pairs: num(0, 1e6, true),
  eval_every: num(0, 1e9, true),
  log_every: num(1, 1e9, true),
  save_every: num(0, 1e9, true),
  'tiny.vocab_size': num(260, 65536, true),
  'tiny.d_model': num(8, 4096, true),
  'tiny.n_layers': num(1, 64, true),
  'tiny.n_heads': num(1, 64, true),
  'tiny.context_length': num(8, 8192, true),
  'tiny.sft_steps': num(0, 1e9, true),
  'tiny.sft_learning_rate': num(0, Infinity, false, true),
  max_pairs: num(0, 1e9, true),
  write_degrees: bool,
};

export const CONFIG_KEYS = Object.keys(CHECKS) as Array<keyof TrainConfig>;

export class ConfigError extends Error {}

/** Flatten `{spo: {gamma: 1}}` to `{"spo.gamma": 1}`; dotted keys may also be written flat. */
function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(key in CHECKS)) flatten(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}

/**
 * Merge partial configs (later wins) over the defaults and validate every key.
 * `where` names the source in messages (e.g. the config file path).
 */
export function resolveConfig(layers: Array<{ values: Record<string, unknown>; where?: string }>): TrainConfig {
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const { values, where } of layers) {
    for (const [key, value] of Object.entries(flatten(values))) {
      if (!(key in CHECKS)) throw new ConfigError(`${where ? where + ': ' : ''}unknown config key "${key}"`);
      if (value === undefined) continue;
      const problem = CHECKS[key as keyof TrainConfig](value);
      if (problem) throw new ConfigError(`${where ? where + ': ' : ''}config key "${key}" ${problem}, got ${JSON.stringify(value)}`);
      merged[key] = value;
    }
  }
  const cfg = merged as unknown as TrainConfig;
  if (cfg.eval_data === '') throw new ConfigError('config key "eval_data" must name a preference file (or be null), got ""');
  if (cfg['tiny.d_model'] % cfg['tiny.n_heads'] !== 0) {
    throw new ConfigError(`config key "tiny.d_model" must be divisible by tiny.n_heads (${cfg['tiny.n_heads']}), got ${cfg['tiny.d_model']}`);
  }
  return cfg;
}

/** Read a JSON config file (nested or dotted keys). */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readRegularFileSync(file, READ_LIMITS.json).toString('utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file}: must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/** Parse a CLI string value into the JSON type its key expects ("0.1" → 0.1, "true" → true). */
export function parseFlagValue(key: string, raw: string): unknown {
  const sample = (DEFAULT_CONFIG as unknown as Record<string, unknown>)[key];
  if (key === 'learning_rate' || typeof sample === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw; // leave bad input for the validator to name
  }
  if (typeof sample === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** The learning rate actually used when `learning_rate` is null (auto). */
export function effectiveLearningRate(cfg: TrainConfig): number {
  if (cfg.learning_rate !== null) return cfg.learning_rate;
  return cfg.model ? 5e-6 : 1e-3;
}
