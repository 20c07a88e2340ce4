// Training checkpoints: checkpoints/step-N/ = the model (HF layout via saveCausalLM), the SPO heads,
// the AdamW moments and trainer_state.json (step, RNG states, data order), written last.
import * as fs from 'fs';
import * as path from 'path';
import type { CausalLM, TextTokenizer } from '../model/types';
import { saveCausalLM } from '../model/checkpoint';
import { readSafetensors, writeSafetensors, TensorToWrite } from '../model/safetensors';
import type { SpoHeads } from './spoHeads';
import type { AdamW } from './optim';

export const HEADS_FILE = 'spo_heads.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'trainer_state.json';

/** Where the run stands: enough to continue exactly where it stopped. */
export interface TrainerState {
  step: number;
  optimizerStep: number;
  epoch: number;
  /** Position in `order` of the next training pair. */
  position: number;
  /** Training-pair indices of the current epoch, in visiting order. */
  order: number[];
  dataRng: number;
  /** Checkpoints before the counter-based variant draws saved the augmenter's sequential state; unused now. */
  augmentRng?: number;
  /** Health monitor memory (so alerts behave the same after a resume). */
  health: unknown;
}

export type HostTensors = Map<string, { shape: number[]; data: Float32Array }>;

function toWrite(tensors: HostTensors): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of tensors) out.set(name, { dtype: 'F32', shape: t.shape, data: t.data });
  return out;
}

export function headTensors(heads: SpoHeads): HostTensors {
  const out: HostTensors = new Map();
  for (const [name, v] of heads.weights) out.set(name, { shape: v.shape.slice(), data: v.dataSync() as Float32Array });
  return out;
}

export function readFloatTensors(file: string): HostTensors {
  const out: HostTensors = new Map();
  for (const [name, t] of readSafetensors(file).tensors) {
    if (!(t.data instanceof Float32Array)) throw new Error(`${file}: tensor '${name}' is not float`);
    out.set(name, { shape: t.shape, data: t.data });
  }
  return out;
}

export function saveCheckpoint(
  dir: string,
  model: CausalLM,
  tokenizer: TextTokenizer,
  heads: SpoHeads | null,
  optimizer: AdamW,
  state: TrainerState,
): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, STATE_FILE), { force: true }); // incomplete until the state is rewritten
  saveCausalLM(model, dir, tokenizer);
  if (heads) writeSafetensors(path.join(dir, HEADS_FILE), toWrite(headTensors(heads)), { format: 'pt', classes: String(heads.classes) });
  writeSafetensors(path.join(dir, OPTIMIZER_FILE), toWrite(optimizer.stateTensors()), { step: String(optimizer.step) });
  fs.writeFileSync(path.join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

export function readTrainerState(dir: string): TrainerState {
  const file = path.join(dir, STATE_FILE);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as TrainerState;
  } catch (err) {
    throw new Error(`${file}: cannot read the trainer state (${(err as Error).message})`);
  }
}
