// Will a training step fit? A model folder from a repository can ask for anything (vocabulary 3e6 with
// d 4 is a 48 MB file whose logits need tens of GB). The estimate is a lower bound of what a step holds at
// once: weights (policy, its gradients, the AdamW moments, the reference) and the logits of one batch
// (logits, their log-softmax, their gradient). Past the backend's memory, the run is refused with the numbers
// before anything big is allocated, instead of dying minutes later in wasm.
import * as os from 'os';
import type { CausalLMConfig } from '../model/types';

const BYTES_PER_FLOAT = 4;
/** wasm32 addresses at most 4 GiB, whatever the machine has. */
const WASM_MEMORY_BYTES = 4 * 1024 ** 3;

export function parameterCount(c: CausalLMConfig): number {
  const d = c.dModel;
  const headDim = d / c.nHeads;
  const kv = c.nKvHeads * headDim;
  const embed = c.vocabSize * d + (c.architecture === 'gpt2' ? c.contextLength * d : 0);
  const attention = d * d * 2 + d * kv * 2;
  const mlp = c.architecture === 'gpt2' ? 2 * d * c.dFf : 3 * d * c.dFf;
  const lmHead = c.tieWordEmbeddings ? 0 : c.vocabSize * d;
  return embed + c.nLayers * (attention + mlp + 4 * d) + lmHead;
}

export interface StepShape {
  /** Preference pairs per step (each gives a chosen and a rejected row). */
  pairs: number;
  /** Tokens of the longest row (rows are padded to it). */
  tokens: number;
  /** Whether a reference model is kept in memory. */
  reference: boolean;
}

export interface MemoryEstimate {
  weightBytes: number;
  logitBytes: number;
  totalBytes: number;
}

export function estimateStepMemory(c: CausalLMConfig, s: StepShape): MemoryEstimate {
  const params = parameterCount(c);
  // policy + gradients + AdamW m and v, and the frozen reference
  const weightBytes = params * BYTES_PER_FLOAT * (4 + (s.reference ? 1 : 0));
  const logitBytes = 2 * s.pairs * s.tokens * c.vocabSize * BYTES_PER_FLOAT * 3;
  return { weightBytes, logitBytes, totalBytes: weightBytes + logitBytes };
}

/** What the backend can hold: wasm's address space, else the machine's memory. */
export function backendMemoryBytes(backend: string): number {
  return backend === 'wasm' ? Math.min(WASM_MEMORY_BYTES, os.totalmem()) : os.totalmem();
}

const gb = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GB`;

/** Throw, with the numbers, when a step cannot fit; `source` names the model. */
export function assertStepFits(c: CausalLMConfig, s: StepShape, backend: string, source: string): void {
  const e = estimateStepMemory(c, s);
  const budget = backendMemoryBytes(backend);
  if (e.totalBytes <= budget) return;
  throw new Error(
    `${source}: a training step needs at least ${gb(e.totalBytes)} (weights ${gb(e.weightBytes)} for ${parameterCount(c).toLocaleString('en-US')} parameters `
    + `with gradients, AdamW moments${s.reference ? ' and the reference' : ''}; logits ${gb(e.logitBytes)} for ${2 * s.pairs} rows × ${s.tokens} tokens × `
    + `vocabulary ${c.vocabSize.toLocaleString('en-US')}), more than the ${backend} backend's ${gb(budget)}. Lower batch_size or max_length, or use a smaller model.`,
  );
}
