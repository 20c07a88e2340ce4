// Resolving a training config: layers (a run's config.json, a config file, settings, CLI flags) merged
// over the spec's defaults and validated with messages naming the key. The knobs themselves are the
// table in spec.ts; this module only applies it.
import { READ_LIMITS, readRegularFile, readRegularFileSync } from '../fs/safeFiles';
import {
  ALIGN_LOSSES, AlignLoss, ConfigKey, LEGACY_KEYS, TrainConfig, checkValue, defaultConfig, isConfigKey, keySpec,
} from './spec';

export {
  ALIGN_LOSSES, AlignLoss, CONFIG_KEYS, ConfigKey, DEFAULT_CONFIG, EngineChoice, LossType, Pooling, TrainConfig, TRAIN_SPEC,
} from './spec';

export class ConfigError extends Error {}

export interface ConfigLayer {
  values: Record<string, unknown>;
  /** Names the source in messages (e.g. the config file path). */
  where?: string;
}

/** Input forms the resolved config does not keep: a single loss name stands for a one-item list. */
function normalizeInput(key: ConfigKey, value: unknown): unknown {
  if (key === 'loss_type' && typeof value === 'string') return value.split(',').map((s) => s.trim());
  return value;
}

/**
 * Merge partial configs (later wins) over the defaults and validate every key. Keys must be today's
 * names; a config read from disk is upgraded first (readConfigFile).
 */
export function resolveConfig(layers: readonly ConfigLayer[]): TrainConfig {
  const merged: Record<string, unknown> = defaultConfig() as unknown as Record<string, unknown>;
  for (const { values, where } of layers) {
    const at = where ? `${where}: ` : '';
    for (const [key, raw] of Object.entries(values)) {
      if (!isConfigKey(key)) {
        const renamed = LEGACY_KEYS[key];
        throw new ConfigError(`${at}unknown config key "${key}"${renamed ? ` (renamed "${renamed}")` : ''}`);
      }
      if (raw === undefined) continue;
      const value = normalizeInput(key, raw);
      const problem = checkValue(keySpec(key), value);
      if (problem) throw new ConfigError(`${at}config key "${key}" ${problem}, got ${JSON.stringify(raw)}`);
      merged[key] = value;
    }
  }
  const cfg = merged as unknown as TrainConfig;
  if (cfg.loss_weights !== null && cfg.loss_weights.length !== cfg.loss_type.length) {
    throw new ConfigError(`config key "loss_weights" must have one weight per loss_type (${cfg.loss_type.length}), got ${JSON.stringify(cfg.loss_weights)}`);
  }
  if (cfg.tiny_d_model % cfg.tiny_n_heads !== 0) {
    throw new ConfigError(`config key "tiny_d_model" must be divisible by tiny_n_heads (${cfg.tiny_n_heads}), got ${cfg.tiny_d_model}`);
  }
  return cfg;
}

/**
 * Today's key names for a config read from disk: nested objects are flattened (`{spo: {gamma: 1}}` →
 * `spo.gamma`) and the names of older runs and files (LEGACY_KEYS) are mapped onto today's. A file
 * holding both an old and a new name for one knob is refused, naming both.
 */
export function upgradeConfigKeys(values: Record<string, unknown>, where?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const dotted = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !isConfigKey(dotted) && !(dotted in LEGACY_KEYS)) {
        visit(v as Record<string, unknown>, dotted);
        continue;
      }
      const key = LEGACY_KEYS[dotted] ?? dotted;
      if (key in out) throw new ConfigError(`${where ? where + ': ' : ''}config keys "${from[key]}" and "${dotted}" both set "${key}"`);
      out[key] = v;
      from[key] = dotted;
    }
  };
  visit(values, '');
  return out;
}

/** Read a JSON config file (today's keys, or an older run's: see upgradeConfigKeys). */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readRegularFileSync(file, READ_LIMITS.json).toString('utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  return parseConfigText(text, file);
}

/** readConfigFile without blocking, for the extension host (a workspace's spo.config.json). */
export async function readConfigFileAsync(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readRegularFile(file, READ_LIMITS.json)).toString('utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  return parseConfigText(text, file);
}

/** A config file's text as an object with today's keys; a ConfigError naming `file` when it is not a JSON object. */
function parseConfigText(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file}: must hold a JSON object`);
  return upgradeConfigKeys(parsed as Record<string, unknown>, file);
}

/**
 * Parse a CLI string value into the JSON type its key expects ("0.1" → 0.1, "true" → true, "null" → null
 * for nullable keys, "a,b" → a list). Bad input is left as is for the validator to name.
 */
export function parseFlagValue(key: ConfigKey, raw: string): unknown {
  const spec = keySpec(key);
  if (spec.nullable && raw === 'null') return null;
  const toNumber = (s: string): unknown => {
    const n = Number(s);
    return s.trim() !== '' && Number.isFinite(n) ? n : s;
  };
  switch (spec.type) {
    case 'number':
    case 'integer':
      return toNumber(raw);
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'string[]':
      return raw.split(',').map((s) => s.trim());
    case 'number[]':
      return raw.split(',').map((s) => toNumber(s.trim()));
    default:
      return raw;
  }
}

/** The learning rate actually used when `learning_rate` is null (auto). */
export function effectiveLearningRate(cfg: TrainConfig): number {
  if (cfg.learning_rate !== null) return cfg.learning_rate;
  return cfg.model ? 5e-6 : 1e-3;
}

/**
 * What the TF.js engine cannot train of a valid config (null = it can): one loss of ALIGN_LOSSES with
 * weight 1, no gradient accumulation, one process, no LoRA. The torch engine trains these.
 */
export function tfjsEngineProblem(cfg: TrainConfig): string | null {
  const use = 'use engine "torch" for it';
  if (cfg.loss_type.length !== 1 || !ALIGN_LOSSES.includes(cfg.loss_type[0] as AlignLoss)) {
    return `config key "loss_type": the TF.js engine trains exactly one of ${ALIGN_LOSSES.join(' | ')}, got ${JSON.stringify(cfg.loss_type)} (${use})`;
  }
  if (cfg.loss_weights !== null && !(cfg.loss_weights.length === 1 && cfg.loss_weights[0] === 1)) {
    return `config key "loss_weights": the TF.js engine accepts only null or [1], got ${JSON.stringify(cfg.loss_weights)} (${use})`;
  }
  if (cfg.gradient_accumulation_steps !== 1) {
    return `config key "gradient_accumulation_steps": the TF.js engine supports only 1, got ${cfg.gradient_accumulation_steps} (${use})`;
  }
  if (cfg.num_processes !== 1) return `config key "num_processes": the TF.js engine runs one process, got ${cfg.num_processes} (${use})`;
  if (cfg.use_peft) return `config key "use_peft": the TF.js engine trains every weight, not a LoRA adapter (${use})`;
  return null;
}

/** The one alignment loss the TF.js engine trains (throws when tfjsEngineProblem says it cannot). */
export function alignLoss(cfg: TrainConfig): AlignLoss {
  const problem = tfjsEngineProblem(cfg);
  if (problem) throw new ConfigError(problem);
  return cfg.loss_type[0] as AlignLoss;
}

/** The config as its loss label for messages: `sigmoid`, or `sigmoid+sft` for a list. */
export function lossLabel(cfg: Pick<TrainConfig, 'loss_type'>): string {
  return cfg.loss_type.join('+');
}
