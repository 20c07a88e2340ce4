// HF-compatible model folders: config.json + model.safetensors (or sharded) [+ tokenizer.json and
// tokenizer_config.json], loaded into / saved from a CausalLM of TF.js variables.
import * as fs from 'fs';
import * as path from 'path';
import type { CausalLM, CausalLMConfig, TF, TextTokenizer } from './types';
import { parseHfConfig, toHfConfig } from './hfConfig';
import { HostTensor, VariableOptions } from './layout';
import { createGpt2, gpt2FromTensors } from './gpt2';
import { createLlama, llamaFromTensors } from './llama';
import { READ_LIMITS, readRegularFileSync, writeFileAtomic } from '../fs/safeFiles';
import { SINGLE_FILE, TensorToWrite, readCheckpointTensors, writeSafetensors } from './safetensors';

export const CONFIG_FILE = 'config.json';

/** A fresh model of the config's architecture. */
export function createCausalLM(tf: TF, config: CausalLMConfig, seed: number, options?: VariableOptions): CausalLM {
  return config.architecture === 'gpt2' ? createGpt2(tf, config, seed, options) : createLlama(tf, config, seed, options);
}

export function readHfConfigFile(dir: string): CausalLMConfig {
  const file = path.join(dir, CONFIG_FILE);
  if (!fs.existsSync(file)) throw new Error(`${dir}: no ${CONFIG_FILE} (not a model folder)`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readRegularFileSync(file, READ_LIMITS.json).toString('utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  return parseHfConfig(json, file);
}

/** A model of the config's architecture from host tensors (HF names); `source` names them in errors. */
export function causalLMFromTensors(
  tf: TF,
  config: CausalLMConfig,
  tensors: Map<string, HostTensor>,
  source: string,
  options?: VariableOptions,
): CausalLM {
  return config.architecture === 'gpt2'
    ? gpt2FromTensors(tf, config, tensors, source, options)
    : llamaFromTensors(tf, config, tensors, source, options);
}

/** An independent copy of a model's current weights, e.g. the frozen reference policy. */
export function cloneCausalLM(tf: TF, model: CausalLM, options?: VariableOptions): CausalLM {
  const tensors = new Map<string, HostTensor>();
  for (const [name, v] of model.weights) tensors.set(name, { shape: v.shape.slice(), data: v.dataSync() as Float32Array });
  return causalLMFromTensors(tf, model.config, tensors, 'clone', options);
}

/** Load config.json + safetensors weights from a folder (as written by HF transformers or saveCausalLM). */
export function loadCausalLM(tf: TF, dir: string, options?: VariableOptions): CausalLM {
  const config = readHfConfigFile(dir);
  const tensors = new Map<string, HostTensor>();
  for (const [name, t] of readCheckpointTensors(dir)) {
    if (!(t.data instanceof Float32Array)) throw new Error(`${dir}: tensor '${name}' has integer dtype ${t.dtype}, expected a float type`);
    tensors.set(name, { shape: t.shape, data: t.data });
  }
  return causalLMFromTensors(tf, config, tensors, dir, options);
}

/** The model's weights as host arrays, HF names → float32 (reads each variable once). */
export function modelTensors(model: CausalLM): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, v] of model.weights) out.set(name, { dtype: 'F32', shape: v.shape.slice(), data: v.dataSync() as Float32Array });
  return out;
}

/** Write config.json + model.safetensors (+ tokenizer.json / tokenizer_config.json) into `dir`. */
export function saveCausalLM(model: CausalLM, dir: string, tokenizer?: TextTokenizer & { configJSON?(): object | undefined }): void {
  fs.mkdirSync(dir, { recursive: true });
  // Atomic, never through a link: `dir` may be a folder a repository shipped.
  writeFileAtomic(path.join(dir, CONFIG_FILE), JSON.stringify(toHfConfig(model.config), null, 2) + '\n');
  writeSafetensors(path.join(dir, SINGLE_FILE), modelTensors(model), { format: 'pt' });
  if (tokenizer) {
    writeFileAtomic(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON()));
    const cfg = tokenizer.configJSON?.();
    if (cfg) writeFileAtomic(path.join(dir, 'tokenizer_config.json'), JSON.stringify(cfg, null, 2) + '\n');
  }
}
