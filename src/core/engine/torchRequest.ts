// From the resolved training config to a torch-engine request; and a torch run's saved
// config.json for --resume (it is in the contract's key names, so it is read as is, not re-resolved).
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES } from '../train/runFolder';
import { configValue, contractConfig } from './contractConfig';
import type { PairsSettings } from './preparedPairs';
import { choosePython, PythonHints } from './pythonLocation';
import type { TorchTrainRequest } from './torchTraining';

function pairsSettings(cfg: Readonly<Record<string, unknown>>): PairsSettings {
  const v = <T>(name: string, fallback: T): T => configValue<T>(cfg, name) ?? fallback;
  return {
    data: v('data', ''), eval_data: v<string | null>('eval_data', null), max_pairs: v('max_pairs', 0), seed: v('seed', 42),
    eval_fraction: v('eval_fraction', 0.1), eval_max_pairs: v('eval_max_pairs', 128), extractor: v('extractor', 'rake'), max_keys: v('max_keys', 8),
  };
}

/** A new (or resumed) torch run from the resolved training config. */
export function torchRequest(config: Readonly<Record<string, unknown>>, runDir: string, resume: boolean, hints: PythonHints = {}): TorchTrainRequest {
  const python = choosePython({ ...hints, flag: (config.python as string | null | undefined) ?? hints.flag });
  const numProcesses = configValue<number>(config, 'num_processes') ?? 1;
  const accelerateConfig = configValue<string | null>(config, 'accelerate_config') ?? null;
  const full = contractConfig(config, {
    engine: 'torch', python: python.command, num_processes: numProcesses,
    accelerate_config: accelerateConfig ? path.resolve(accelerateConfig) : null, output_dir: runDir,
  });
  return { config: full, pairs: pairsSettings(full), runDir, resume, python, numProcesses, accelerateConfig: full.accelerate_config as string | null };
}

/** The saved config of a torch run in `runDir`, or null when the folder is not one (or has no config.json). */
export function savedTorchConfig(runDir: string): Record<string, unknown> | null {
  const file = path.join(runDir, RUN_FILES.config);
  if (!fs.existsSync(file)) return null;
  try {
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    return cfg && cfg.engine === 'torch' ? cfg : null;
  } catch {
    return null;
  }
}
