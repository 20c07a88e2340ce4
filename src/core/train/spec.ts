// The training spec, in the manner of TRL's DPOConfig: one row per knob of the resolved training
// config ({key, flag, type, default, check, help}). The defaults, the validation, the `spo train` flags
// and usage text, the experiment's shared flags, the VS Code settings mapping, the picker limits and
// the JSON Schema of config.json are all generated from this table (config.ts, cliFlags.ts, schema.ts).
// Key names (docs/engine-contract.md): flat snake_case, TRL's name wherever TRL has the knob, SPO's own
// knobs prefixed `spo_`, the tiny preset's `tiny_`.
import { EXTRACTOR_NAMES, ExtractorName } from '../keys';
import { BACKEND_CHOICES, BackendChoice } from '../model/backend';

/** The losses the TF.js engine trains (TRL's names; SimPO and ORPO as in CPOTrainer / ORPOTrainer). */
export type AlignLoss = 'sigmoid' | 'ipo' | 'hinge' | 'simpo' | 'orpo';
export const ALIGN_LOSSES: readonly AlignLoss[] = ['sigmoid', 'ipo', 'hinge', 'simpo', 'orpo'];
/**
 * Every name `loss_type` may hold: TRL 1.x DPOConfig's loss types (the torch engine trains any list of
 * them, weighted by `loss_weights`) plus the TF.js engine's `simpo` and `orpo`.
 */
export const LOSS_TYPES = [
  'sigmoid', 'hinge', 'ipo', 'exo_pair', 'nca_pair', 'robust', 'bco_pair', 'sppo_hard', 'aot', 'aot_unpaired',
  'apo_zero', 'apo_down', 'discopop', 'sft', 'sigmoid_norm', 'simpo', 'orpo',
] as const;
export type LossType = (typeof LOSS_TYPES)[number];
export type Pooling = 'mean' | 'last';
export const POOLINGS: readonly Pooling[] = ['mean', 'last'];
export type EngineChoice = 'tfjs' | 'torch' | 'auto';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['tfjs', 'torch', 'auto'];

/** The resolved training config: what `<run>/config.json` holds (schema: `spo schema config`). */
export interface TrainConfig {
  data: string;
  eval_data: string | null;
  output_dir: string | null;
  preset: 'tiny';
  model: string | null;
  engine: EngineChoice;
  backend: BackendChoice;
  seed: number;
  max_pairs: number;
  write_degrees: boolean;

  loss_type: LossType[];
  loss_weights: number[] | null;
  beta: number;
  label_smoothing: number;
  simpo_gamma: number;
  orpo_lambda: number;
  precompute_ref_log_probs: boolean;

  spo_gamma: number;
  spo_classes: number;
  spo_pooling: Pooling;
  extractor: ExtractorName;
  max_keys: number;

  learning_rate: number | null;
  min_lr_ratio: number;
  warmup_steps: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  max_grad_norm: number;
  per_device_train_batch_size: number;
  gradient_accumulation_steps: number;
  max_steps: number;
  max_length: number;

  eval_fraction: number;
  eval_max_pairs: number;
  eval_steps: number;
  logging_steps: number;
  save_steps: number;

  tiny_vocab_size: number;
  tiny_d_model: number;
  tiny_n_layers: number;
  tiny_n_heads: number;
  tiny_context_length: number;
  tiny_sft_steps: number;
  tiny_sft_learning_rate: number;

  use_peft: boolean;
  lora_r: number;
  lora_alpha: number;
  lora_dropout: number;
  bf16: boolean | null;
  num_processes: number;
  accelerate_config: string | null;
  python: string | null;
  merge_adapter: boolean;
}

export type ConfigKey = keyof TrainConfig;

/** The JSON type of a value (`number[]`: a list of numbers; `string[]`: a list of `oneOf` names). */
export type ValueType = 'string' | 'number' | 'integer' | 'boolean' | 'string[]' | 'number[]';

/** What a value must satisfy beyond its type; data, not code, so the picker and the schema read it too. */
export interface ValueCheck {
  min?: number;
  max?: number;
  /** `min` itself is not allowed (a value must be > min). */
  minExclusive?: boolean;
  /** The allowed strings (of the value, or of each list item). */
  oneOf?: readonly string[];
  /** A string must not be empty; the text says what it must name (e.g. `a preference file`). */
  nonEmpty?: string;
}

export type SpecGroup = 'run' | 'loss' | 'spo' | 'optimisation' | 'eval' | 'tiny' | 'torch';

export const GROUP_TITLES: Record<SpecGroup, string> = {
  run: 'Data, model and run folder',
  loss: 'Alignment loss (TRL names)',
  spo: 'SPO (spo-method.md §1–3)',
  optimisation: 'Optimisation (AdamW, warmup + cosine)',
  eval: 'Held-out split and cadence',
  tiny: 'Tiny preset (tokenizer + GPT-2 shape + SFT phase)',
  torch: 'Torch engine only (ignored by the TF.js engine unless said otherwise)',
};

export interface KeySpec<K extends ConfigKey = ConfigKey> {
  key: K;
  /** The `spo train` flag (without `--`); null = only through `--set KEY=VALUE` or a config file. */
  flag: string | null;
  /** Flags users already type, mapping onto the same key (e.g. `--gamma` for spo_gamma). */
  aliases?: readonly string[];
  type: ValueType;
  /** null is allowed (and means what `help` says, e.g. "auto"). */
  nullable?: boolean;
  default: TrainConfig[K];
  check?: ValueCheck;
  help: string;
  group: SpecGroup;
  /** The VS Code setting (under `spo.`) that supplies this key when the editor starts a run. */
  setting?: string;
  /** The flag is also an `spo experiment` flag (the shared training budget). */
  experiment?: boolean;
  /** A placeholder for the value in usage text (default from the type). */
  metavar?: string;
}

type SpecRows = { [K in ConfigKey]: Omit<KeySpec<K>, 'key'> };

const int = (min: number, max: number): ValueCheck => ({ min, max });
const flagOf = (key: string) => key.replace(/_/g, '-');

/** The table. Row order is the order of config.json and of the usage text within each group. */
const ROWS: SpecRows = {
  data: { flag: 'data', type: 'string', default: '', metavar: 'FILE', group: 'run',
    help: 'preference file (TRL, HH, TL;DR, UltraFeedback; .jsonl/.json, .gz)' },
  eval_data: { flag: 'eval-data', type: 'string', nullable: true, default: null, check: { nonEmpty: 'a preference file' }, metavar: 'FILE', group: 'run',
    help: 'held-out preference file (TRL\'s eval_dataset): evaluated instead of a random eval_fraction split of data, recorded in split.json; null = split data' },
  output_dir: { flag: 'output-dir', aliases: ['out'], type: 'string', nullable: true, default: null, metavar: 'DIR', group: 'run',
    help: 'run folder; null = .spo/runs/<time>' },
  preset: { flag: 'preset', type: 'string', default: 'tiny', check: { oneOf: ['tiny'] }, group: 'run',
    help: 'the embedded default model: trains a tokenizer, a small GPT-2 and an SFT reference on the data (used when model is null)' },
  model: { flag: 'model', type: 'string', nullable: true, default: null, metavar: 'DIR', group: 'run',
    help: 'start from an HF folder (config.json + model.safetensors + tokenizer.json), GPT-2 or Llama layout; its tokenizer is used as is and there is no SFT phase' },
  engine: { flag: 'engine', type: 'string', default: 'auto', check: { oneOf: ENGINE_CHOICES }, group: 'run', experiment: true,
    help: 'training engine: tfjs (embedded), torch (python/spo_torch, TRL\'s DPOTrainer), auto = torch when a Python with the engine is found and a model is given, else tfjs' },
  backend: { flag: 'backend', type: 'string', default: 'auto', check: { oneOf: BACKEND_CHOICES }, group: 'run', setting: 'train.backend', experiment: true,
    help: 'TF.js backend (TF.js engine only)' },
  seed: { flag: 'seed', type: 'integer', default: 42, check: int(0, 2 ** 32 - 1), group: 'run',
    help: 'seed of every random draw' },
  max_pairs: { flag: 'max-pairs', type: 'integer', default: 0, check: int(0, 1e9), group: 'run',
    help: 'stop after this many examples are read from the data file (0 = all)' },
  write_degrees: { flag: 'write-degrees', type: 'boolean', default: true, group: 'run',
    help: 'write degrees.jsonl (every pair\'s model / SPO / data degree) at the end; false skips that pass (minutes on a CPU for big files)' },

  loss_type: { flag: 'loss-type', aliases: ['loss'], type: 'string[]', default: ['sigmoid'], check: { oneOf: LOSS_TYPES }, metavar: 'NAME[,NAME]', group: 'loss',
    help: `alignment loss(es), TRL's loss_type list; the TF.js engine trains exactly one of ${ALIGN_LOSSES.join(' | ')}, the torch engine any of TRL's` },
  loss_weights: { flag: 'loss-weights', type: 'number[]', nullable: true, default: null, check: { min: 0 }, metavar: 'W[,W]', group: 'loss',
    help: 'weight of each loss_type (same length); null = 1 each. The TF.js engine accepts null or [1]' },
  beta: { flag: 'beta', type: 'number', default: 0.1, check: { min: 0, minExclusive: true }, group: 'loss',
    help: 'β: strength of the KL penalty / reward scale' },
  label_smoothing: { flag: 'label-smoothing', type: 'number', default: 0, check: { min: 0, max: 0.5 }, group: 'loss',
    help: 'conservative-DPO label smoothing' },
  simpo_gamma: { flag: 'simpo-gamma', type: 'number', default: 0.5, check: { min: 0 }, group: 'loss',
    help: 'SimPO\'s target reward margin' },
  orpo_lambda: { flag: 'orpo-lambda', type: 'number', default: 0.1, check: { min: 0 }, group: 'loss',
    help: 'ORPO\'s λ weighting the odds-ratio term (TRL calls it beta in ORPOConfig)' },
  precompute_ref_log_probs: { flag: 'precompute-ref-log-probs', type: 'boolean', default: false, group: 'loss',
    help: 'compute the reference log-probs once up front and free the reference model' },

  spo_gamma: { flag: 'spo-gamma', aliases: ['gamma'], type: 'number', default: 0.1, check: { min: 0 }, metavar: 'G', group: 'spo',
    help: 'γ: weight of the SPO preference-degree loss (0 = plain alignment loss)' },
  spo_classes: { flag: 'spo-classes', aliases: ['classes'], type: 'integer', default: 4, check: int(2, 64), metavar: 'K', group: 'spo',
    help: 'K: SPO degree classes (0 = intact … K−1 = all key content removed)' },
  spo_pooling: { flag: 'spo-pooling', type: 'string', default: 'mean', check: { oneOf: POOLINGS }, group: 'spo',
    help: 'how the SPO heads pool the response\'s hidden states' },
  extractor: { flag: 'extractor', type: 'string', default: 'rake', check: { oneOf: EXTRACTOR_NAMES }, group: 'spo', setting: 'keys.extractor',
    help: 'key-content extractor (spo-method §1)' },
  max_keys: { flag: 'max-keys', type: 'integer', default: 8, check: int(1, 64), group: 'spo', setting: 'keys.maxKeys',
    help: 'at most this many key phrases per response' },

  learning_rate: { flag: 'learning-rate', aliases: ['lr'], type: 'number', nullable: true, default: null, check: { min: 0, minExclusive: true }, metavar: 'LR', group: 'optimisation', experiment: true,
    help: 'peak learning rate; null = auto: 1e-3 for the tiny preset, 5e-6 with a model' },
  min_lr_ratio: { flag: 'min-lr-ratio', type: 'number', default: 0.1, check: { min: 0, max: 1 }, group: 'optimisation',
    help: 'the cosine schedule ends at this share of the peak' },
  warmup_steps: { flag: 'warmup-steps', type: 'integer', default: 10, check: int(0, 1e9), group: 'optimisation',
    help: 'linear warmup steps' },
  weight_decay: { flag: 'weight-decay', type: 'number', default: 0, check: { min: 0 }, group: 'optimisation',
    help: 'AdamW weight decay' },
  adam_beta1: { flag: 'adam-beta1', type: 'number', default: 0.9, check: { min: 0, max: 0.999999 }, group: 'optimisation',
    help: 'AdamW β1' },
  adam_beta2: { flag: 'adam-beta2', type: 'number', default: 0.999, check: { min: 0, max: 0.999999 }, group: 'optimisation',
    help: 'AdamW β2' },
  adam_epsilon: { flag: 'adam-epsilon', type: 'number', default: 1e-8, check: { min: 0, minExclusive: true, max: 1 }, group: 'optimisation',
    help: 'AdamW ε' },
  max_grad_norm: { flag: 'max-grad-norm', type: 'number', default: 1.0, check: { min: 0 }, group: 'optimisation',
    help: 'gradient clipping norm (0 = off)' },
  per_device_train_batch_size: { flag: 'per-device-train-batch-size', aliases: ['batch-size'], type: 'integer', default: 8, check: int(1, 4096), group: 'optimisation', experiment: true,
    help: 'pairs per step (per process)' },
  gradient_accumulation_steps: { flag: 'gradient-accumulation-steps', type: 'integer', default: 1, check: int(1, 4096), group: 'optimisation',
    help: 'micro-batches per optimizer step (the TF.js engine supports only 1)' },
  max_steps: { flag: 'max-steps', type: 'integer', default: 200, check: int(1, 1e9), group: 'optimisation', experiment: true,
    help: 'optimizer steps' },
  max_length: { flag: 'max-length', type: 'integer', default: 128, check: int(8, 1e6), group: 'optimisation', experiment: true,
    help: 'tokens per prompt + response' },

  eval_fraction: { flag: 'eval-fraction', type: 'number', default: 0.1, check: { min: 0, max: 0.5 }, group: 'eval',
    help: 'share of data held out at random (ignored when eval_data is set)' },
  eval_max_pairs: { flag: 'eval-max-pairs', type: 'integer', default: 128, check: int(0, 1e6), group: 'eval',
    help: 'at most this many held-out pairs' },
  eval_steps: { flag: 'eval-steps', type: 'integer', default: 50, check: int(0, 1e9), group: 'eval',
    help: 'evaluate every N steps (0 = only at the end)' },
  logging_steps: { flag: 'logging-steps', type: 'integer', default: 1, check: int(1, 1e9), group: 'eval',
    help: 'log a train metrics row every N steps' },
  save_steps: { flag: 'save-steps', type: 'integer', default: 100, check: int(0, 1e9), group: 'eval',
    help: 'save a checkpoint every N steps (0 = only at the end)' },

  tiny_vocab_size: { flag: 'tiny-vocab-size', type: 'integer', default: 1500, check: int(260, 65536), group: 'tiny',
    help: 'byte-level BPE vocabulary size' },
  tiny_d_model: { flag: 'tiny-d-model', type: 'integer', default: 128, check: int(8, 4096), group: 'tiny',
    help: 'model width (divisible by tiny_n_heads)' },
  tiny_n_layers: { flag: 'tiny-n-layers', type: 'integer', default: 2, check: int(1, 64), group: 'tiny',
    help: 'transformer blocks' },
  tiny_n_heads: { flag: 'tiny-n-heads', type: 'integer', default: 4, check: int(1, 64), group: 'tiny',
    help: 'attention heads' },
  tiny_context_length: { flag: 'tiny-context-length', type: 'integer', default: 128, check: int(8, 8192), group: 'tiny',
    help: 'context length' },
  tiny_sft_steps: { flag: 'tiny-sft-steps', aliases: ['sft-steps'], type: 'integer', default: 150, check: int(0, 1e9), group: 'tiny', experiment: true,
    help: 'SFT steps on prompt + chosen (the result is the reference)' },
  tiny_sft_learning_rate: { flag: 'tiny-sft-learning-rate', type: 'number', default: 3e-3, check: { min: 0, minExclusive: true }, group: 'tiny',
    help: 'SFT learning rate' },

  use_peft: { flag: 'use-peft', type: 'boolean', default: false, group: 'torch',
    help: 'train a LoRA adapter instead of every weight (the TF.js engine refuses true)' },
  lora_r: { flag: 'lora-r', type: 'integer', default: 16, check: int(1, 4096), group: 'torch',
    help: 'LoRA rank' },
  lora_alpha: { flag: 'lora-alpha', type: 'number', default: 32, check: { min: 0, minExclusive: true }, group: 'torch',
    help: 'LoRA α' },
  lora_dropout: { flag: 'lora-dropout', type: 'number', default: 0.05, check: { min: 0, max: 1 }, group: 'torch',
    help: 'LoRA dropout' },
  bf16: { flag: 'bf16', type: 'boolean', nullable: true, default: null, group: 'torch',
    help: 'bfloat16 mixed precision; null = auto (on where the GPU supports it)' },
  num_processes: { flag: 'num-processes', type: 'integer', default: 1, check: int(1, 1024), group: 'torch',
    help: 'training processes (GPUs), launched through accelerate (the TF.js engine refuses more than 1)' },
  accelerate_config: { flag: 'accelerate-config', type: 'string', nullable: true, default: null, check: { nonEmpty: 'an accelerate config file' }, metavar: 'FILE', group: 'torch',
    help: 'accelerate config file for a multi-process launch; null = accelerate\'s defaults' },
  python: { flag: 'python', type: 'string', nullable: true, default: null, check: { nonEmpty: 'a Python executable' }, metavar: 'PATH', group: 'torch', experiment: true,
    help: 'the Python that runs the torch engine; null = ~/.cache/spo-studio/torch-env, then python3' },
  merge_adapter: { flag: 'merge-adapter', type: 'boolean', default: false, group: 'torch',
    help: 'with use_peft: also save the adapter merged into the model' },
};

/** The table as a list, in row order. */
export const TRAIN_SPEC: readonly KeySpec[] = (Object.keys(ROWS) as ConfigKey[]).map((key) => ({ key, ...ROWS[key] }) as KeySpec);

export const CONFIG_KEYS: readonly ConfigKey[] = TRAIN_SPEC.map((s) => s.key);

const BY_KEY = new Map<string, KeySpec>(TRAIN_SPEC.map((s) => [s.key, s]));

export function keySpec<K extends ConfigKey>(key: K): KeySpec<K> {
  return BY_KEY.get(key) as unknown as KeySpec<K>;
}

export function isConfigKey(key: string): key is ConfigKey {
  return BY_KEY.has(key);
}

/** The defaults, generated from the table (a fresh copy each call, so a caller may mutate it). */
export function defaultConfig(): TrainConfig {
  return Object.fromEntries(TRAIN_SPEC.map((s) => [s.key, Array.isArray(s.default) ? [...s.default] : s.default])) as unknown as TrainConfig;
}

export const DEFAULT_CONFIG: Readonly<TrainConfig> = Object.freeze(defaultConfig());

/**
 * Keys of config files written before the rename (older runs' config.json, older spo.config.json) →
 * today's key. Read everywhere a config is read from disk; never written.
 */
export const LEGACY_KEYS: Readonly<Record<string, ConfigKey>> = {
  out: 'output_dir',
  loss: 'loss_type',
  batch_size: 'per_device_train_batch_size',
  log_every: 'logging_steps',
  eval_every: 'eval_steps',
  save_every: 'save_steps',
  maxKeys: 'max_keys',
  'spo.gamma': 'spo_gamma',
  'spo.classes': 'spo_classes',
  'spo.pooling': 'spo_pooling',
  'tiny.vocab_size': 'tiny_vocab_size',
  'tiny.d_model': 'tiny_d_model',
  'tiny.n_layers': 'tiny_n_layers',
  'tiny.n_heads': 'tiny_n_heads',
  'tiny.context_length': 'tiny_context_length',
  'tiny.sft_steps': 'tiny_sft_steps',
  'tiny.sft_learning_rate': 'tiny_sft_learning_rate',
};

/** The problem with `value` for this key (without the key's name), or null when it is fine. */
export function checkValue(spec: KeySpec, value: unknown): string | null {
  if (value === null) return spec.nullable ? null : `must not be null`;
  const orNull = spec.nullable ? ' (or null)' : '';
  const c = spec.check ?? {};
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : `must be true or false${orNull}`;
    case 'string':
      if (typeof value !== 'string') return `must be a string${spec.nullable ? ' or null' : ''}`;
      if (c.oneOf && !c.oneOf.includes(value)) return `must be one of ${quoteList(c.oneOf)}`;
      if (c.nonEmpty && value === '') return `must name ${c.nonEmpty}${spec.nullable ? ' (or be null)' : ''}`;
      return null;
    case 'number':
    case 'integer':
      return inRange(value, c, spec.type === 'integer') ? null : `must be ${describeRange(c, spec.type === 'integer')}${orNull}`;
    case 'string[]':
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && (!c.oneOf || c.oneOf.includes(v)))) {
        return `must be a non-empty list of ${c.oneOf ? quoteList(c.oneOf) : 'strings'}`;
      }
      return null;
    case 'number[]':
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => inRange(v, c, false))) {
        return `must be a non-empty list of numbers ${describeRange(c, false).replace(/^a number /, '')}${orNull}`;
      }
      return null;
  }
}

function inRange(v: unknown, c: ValueCheck, integer: boolean): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) return false;
  const min = c.min ?? -Infinity;
  const max = c.max ?? Infinity;
  return (c.minExclusive ? v > min : v >= min) && v <= max;
}

function describeRange(c: ValueCheck, integer: boolean): string {
  const what = integer ? 'an integer' : 'a number';
  if (c.min === undefined && c.max === undefined) return what;
  if (c.max === undefined) return `${what} ${c.minExclusive ? '>' : '≥'} ${c.min}`;
  if (c.min === undefined) return `${what} ≤ ${c.max}`;
  return c.minExclusive ? `${what} in (${c.min}, ${c.max}]` : `${what} in [${c.min}, ${c.max}]`;
}

function quoteList(options: readonly string[]): string {
  return options.map((o) => `"${o}"`).join(', ');
}

/** The input-box limits of a numeric key, for pickers (the same check the config applies). */
export function numericLimits(key: ConfigKey): { min: number; max: number; integer: boolean; minExclusive: boolean } {
  const s = keySpec(key);
  if (s.type !== 'number' && s.type !== 'integer') throw new Error(`config key "${key}" is not numeric`);
  return { min: s.check?.min ?? -Infinity, max: s.check?.max ?? Infinity, integer: s.type === 'integer', minExclusive: s.check?.minExclusive === true };
}

/** The VS Code settings (under `spo.`) that feed training keys: setting → key. */
export const SETTING_KEYS: ReadonlyArray<{ setting: string; key: ConfigKey }> =
  TRAIN_SPEC.filter((s) => s.setting).map((s) => ({ setting: s.setting!, key: s.key }));

/** The flag of a key as typed (`max_steps` → `max-steps`), for rows that follow the convention. */
export function defaultFlag(key: ConfigKey): string {
  return flagOf(key);
}
