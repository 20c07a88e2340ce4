// What Train SPO asks the trainer for: the user's choices as config keys (a Partial of the training
// config) over the VS Code settings that feed training, resolved with the trainer's own rules (messages
// name the field), written to <run>/config.json, and the trainer started on that file.
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ConfigLayer, TrainConfig, resolveConfig } from '../train/config';
import { RUN_FILES, RunFolder, runTimestamp } from '../train/runFolder';

/** The user's training choices: any config keys (the rest come from settings, a config file and the defaults). */
export type TrainChoices = Partial<TrainConfig>;

/** Config keys as the user sees them in the pickers, for messages. */
const FIELD_LABELS: Partial<Record<keyof TrainConfig, string>> = {
  loss_type: 'alignment loss', beta: 'β (beta)', spo_gamma: 'γ (SPO weight)', spo_classes: 'K (SPO classes)',
  max_steps: 'max steps', seed: 'seed', backend: 'backend', data: 'dataset', model: 'model', max_keys: 'spo.keys.maxKeys',
  extractor: 'spo.keys.extractor',
};

/**
 * Resolve the layers (later wins) into the run's config with `output_dir` = runDir. Returns the config,
 * or one message naming the field (and file) at fault.
 */
export function resolveTrainChoices(layers: readonly ConfigLayer[], runDir: string): { config: TrainConfig } | { problem: string } {
  let config: TrainConfig;
  try {
    config = resolveConfig([...layers, { values: { output_dir: runDir } }]);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const key = /config key "([^"]+)"/.exec(err.message)?.[1] as keyof TrainConfig | undefined;
    const label = key ? FIELD_LABELS[key] : undefined;
    return { problem: label ? `${label}: ${err.message}` : err.message };
  }
  if (!config.data) return { problem: 'No dataset: open a preference file or pick one.' };
  if (!fs.existsSync(config.data)) return { problem: `Dataset not found: ${config.data}` };
  if (config.model !== null && !fs.existsSync(path.join(config.model, 'config.json'))) {
    return { problem: `Model folder ${config.model} has no config.json (expected a Hugging Face model folder).` };
  }
  return { config };
}

/** null when the choices can start a run; otherwise one message naming the field at fault. */
export function validateTrainChoices(choices: TrainChoices): string | null {
  const resolved = resolveTrainChoices([{ values: choices }], choices.output_dir ?? '');
  return 'problem' in resolved ? resolved.problem : null;
}

/** Write the resolved config into its run folder (`output_dir`); returns the file the trainer is started on. */
export function writeRunConfig(config: TrainConfig): string {
  if (!config.output_dir) throw new Error('the run config has no output_dir');
  const run = new RunFolder(config.output_dir);
  run.writeJson(RUN_FILES.config, config);
  return run.path(RUN_FILES.config);
}

/** The trainer's command line for a new run whose config.json is written (src/trainer/run.ts flags). */
export function trainerArgs(config: TrainConfig): string[] {
  return ['--config', path.join(config.output_dir ?? '', RUN_FILES.config), '--output-dir', config.output_dir ?? ''];
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

/** A run name that sorts by creation time (runTimestamp: UTC `20261127-002005`). */
export function newRunName(now: Date): string {
  return runTimestamp(now);
}
