// Training checkpoints: checkpoints/step-N/ = the model (HF layout via saveCausalLM), the SPO heads,
// the AdamW moments and trainer_state.json (step, RNG states, data order), written last.
// Crash safety: a checkpoint is built in checkpoints/.step-N.tmp-<pid>/, every file fsynced, state last,
// then renamed into place; a kill -9 at any point leaves either the old checkpoint or the new one.
import * as fs from 'fs';
import * as path from 'path';
import type { CausalLM, TextTokenizer } from '../model/types';
import { modelTensors, readHfConfigFile, saveCausalLM } from '../model/checkpoint';
import { SINGLE_FILE, readSafetensors, readSafetensorsHeader, writeSafetensors, TensorToWrite } from '../model/safetensors';
import { READ_LIMITS, fsyncDir, mkdirNoFollow, readRegularFileSync, writeFileAtomic } from '../fs/safeFiles';
import { firstNonFinite } from './finiteGuard';
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

/** A checkpoint that would hold NaN or ±Infinity: never written (resuming it could only fail). */
export class NonFiniteCheckpointError extends Error {}

/**
 * Save a checkpoint at `dir` (= <run>/checkpoints/step-N). `runDir` is the run folder: every folder
 * between it and the checkpoint must be a real folder, never a link.
 */
export function saveCheckpoint(
  dir: string,
  model: CausalLM,
  tokenizer: TextTokenizer,
  heads: SpoHeads | null,
  optimizer: AdamW,
  state: TrainerState,
  runDir = path.dirname(path.dirname(dir)),
): void {
  const weights = modelTensors(model);
  const headWeights = heads ? headTensors(heads) : null;
  const moments = optimizer.stateTensors();
  for (const [what, tensors] of [['model weight', weights], ['SPO head weight', headWeights], ['optimizer moment', moments]] as const) {
    const bad = tensors ? firstNonFinite(tensors) : null;
    if (bad) throw new NonFiniteCheckpointError(`not saving ${dir}: ${what} '${bad.name}' holds ${bad.value}`);
  }
  const parent = path.dirname(dir);
  mkdirNoFollow(runDir, parent);
  const tmp = path.join(parent, `.${path.basename(dir)}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  saveCausalLM(model, tmp, tokenizer);
  if (headWeights) writeSafetensors(path.join(tmp, HEADS_FILE), toWrite(headWeights), { format: 'pt', classes: String(heads!.classes) });
  writeSafetensors(path.join(tmp, OPTIMIZER_FILE), toWrite(moments), { step: String(optimizer.step) });
  writeFileAtomic(path.join(tmp, STATE_FILE), JSON.stringify(state, null, 2) + '\n'); // last: marks the folder complete
  fsyncDir(tmp);
  // A folder cannot be renamed over a non-empty one: move an older save of this step aside first.
  let old: string | null = null;
  if (fs.existsSync(dir) || isLink(dir)) {
    old = path.join(parent, `.${path.basename(dir)}.old-${process.pid}`);
    fs.rmSync(old, { recursive: true, force: true });
    fs.renameSync(dir, old);
  }
  fs.renameSync(tmp, dir);
  fsyncDir(parent);
  if (old) fs.rmSync(old, { recursive: true, force: true });
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export function readTrainerState(dir: string): TrainerState {
  const file = path.join(dir, STATE_FILE);
  let state: unknown;
  try {
    state = JSON.parse(readRegularFileSync(file, READ_LIMITS.json).toString('utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the trainer state (${(err as Error).message})`);
  }
  const s = state as Partial<TrainerState> | null;
  const int = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (s === null || typeof s !== 'object' || !int(s.step) || !int(s.optimizerStep) || !int(s.epoch) || !int(s.position)
    || !Array.isArray(s.order) || !s.order.every(int) || typeof s.dataRng !== 'number'
    || (s.augmentRng !== undefined && typeof s.augmentRng !== 'number')) {
    throw new Error(`${file}: not a trainer state (step, optimizerStep, epoch, position, order, dataRng)`);
  }
  return s as TrainerState;
}

/** Why a checkpoint folder cannot be resumed from (null: it can): each file is there and well-formed. */
export function checkpointProblem(dir: string): string | null {
  try {
    readTrainerState(dir);
    readHfConfigFile(dir);
    readSafetensorsHeader(path.join(dir, SINGLE_FILE));
    readSafetensorsHeader(path.join(dir, OPTIMIZER_FILE));
    if (fs.existsSync(path.join(dir, HEADS_FILE))) readSafetensorsHeader(path.join(dir, HEADS_FILE));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The checkpoint a resume continues from: the newest that passes checkpointProblem, with the newer ones
 * it had to skip (and why), so the caller can say so. Null when none is usable.
 */
export function chooseResumeCheckpoint(
  steps: readonly number[],
  dirOf: (step: number) => string,
): { step: number; dir: string; skipped: Array<{ step: number; problem: string }> } | null {
  const skipped: Array<{ step: number; problem: string }> = [];
  for (const step of [...steps].sort((a, b) => b - a)) {
    const problem = checkpointProblem(dirOf(step));
    if (problem === null) return { step, dir: dirOf(step), skipped };
    skipped.push({ step, problem });
  }
  return null;
}

/** Set a checkpoint aside (step-N → step-N.nonfinite) so no resume picks it; kept for a post-mortem. */
export function quarantineCheckpoint(dir: string): string {
  const target = `${dir}.nonfinite`;
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(dir, target);
  return target;
}
