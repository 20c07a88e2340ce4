// How much memory the TF.js engine needs for a model, worked out from config.json before anything is
// allocated, so a model that cannot fit is refused with numbers instead of dying in wasm's Aborted() or
// in swap. A model folder from a repository can ask for anything (vocabulary 3e6 with d 4 is a 48 MB file
// whose logits need hundreds of GB); this is the one estimate the trainer checks.
//
// The per-token coefficients were measured with tf.profile (peak bytes of a forward + backward of the
// response log-probs, wasm backend, Llama layouts of d 64–128, 2–4 layers, vocab 1000–8000, T 64–128)
// and rounded up; test/unit/model/memory.test.ts re-measures one configuration and checks the
// estimate stays above the measurement and within 1.6× of it.
import * as os from 'os';
import type { CausalLMConfig } from './types';
import { SCORE_BATCH_TOKENS, SCORE_VOCAB_CHUNK } from './logprobs';

/** wasm32's linear memory: 65536 pages of 64 KiB. The other backends are bounded by RAM only. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Saved-for-backprop floats per token per layer, per unit of (d_model + d_ff). */
const LAYER_FLOATS_PER_WIDTH = 66;
/** Attention floats per token per layer, per head and per key position (scores, mask, softmax, grads). */
const ATTENTION_FLOATS_PER_KEY = 6;
/** Vocabulary-sized floats per token: logits, log-softmax, one-hot pick and their gradients. */
const VOCAB_FLOATS_PER_TOKEN = 18;

/** Parameters of a GPT-2 / Llama config (tied head counted once). */
export function parameterCount(c: CausalLMConfig): number {
  const D = c.dModel;
  const dh = D / c.nHeads;
  const head = c.tieWordEmbeddings ? 0 : c.vocabSize * D;
  if (c.architecture === 'gpt2') {
    const layer = 4 * D + D * 3 * D + 3 * D + D * D + D + 2 * D * c.dFf + c.dFf + D;
    return c.vocabSize * D + c.contextLength * D + c.nLayers * layer + 2 * D + head;
  }
  const attn = D * c.nHeads * dh + 2 * D * c.nKvHeads * dh + c.nHeads * dh * D;
  return c.vocabSize * D + c.nLayers * (2 * D + attn + 3 * D * c.dFf) + D + head;
}

/** Activation bytes of a forward + backward over `tokens` tokens in sequences of `length`. */
export function trainActivationBytes(c: CausalLMConfig, tokens: number, length: number): number {
  const perLayer = LAYER_FLOATS_PER_WIDTH * (c.dModel + c.dFf) + ATTENTION_FLOATS_PER_KEY * c.nHeads * length;
  return 4 * tokens * (c.nLayers * perLayer + VOCAB_FLOATS_PER_TOKEN * c.vocabSize);
}

export interface TrainingMemory {
  parameters: number;
  /** Policy, gradients, Adam's two moments, the per-step weight transposes, and the reference copy. */
  weightBytes: number;
  /** Forward + backward of one step's sequences. */
  activationBytes: number;
  totalBytes: number;
  /** Sequences in one step's forward pass (chosen + rejected, plus the SPO variant rows). */
  sequences: number;
}

export interface TrainingShape {
  batchSize: number;
  maxLength: number;
  /** SPO heads on: up to one variant row per response is added to the forward batch. */
  spo: boolean;
  /** A frozen reference model is held (DPO-family losses). */
  reference: boolean;
}

export function estimateTrainingMemory(c: CausalLMConfig, s: TrainingShape): TrainingMemory {
  const parameters = parameterCount(c);
  const weightBytes = 4 * parameters * (5 + (s.reference ? 1 : 0));
  const sequences = 2 * s.batchSize * (s.spo ? 2 : 1);
  const activationBytes = trainActivationBytes(c, sequences * s.maxLength, s.maxLength);
  return { parameters, weightBytes, activationBytes, totalBytes: weightBytes + activationBytes, sequences };
}

/** Scoring: weights, one layer's activations for a micro-batch, one vocabulary piece of logits. */
export function estimateScoringBytes(c: CausalLMConfig): number {
  const layer = 4 * SCORE_BATCH_TOKENS * (LAYER_FLOATS_PER_WIDTH * (c.dModel + c.dFf) / 4);
  const logits = 4 * 3 * SCORE_BATCH_TOKENS * SCORE_VOCAB_CHUNK;
  return 4 * parameterCount(c) * 2 + layer + logits; // ×2: per-forward weight transposes
}

export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** The heap the backend's tensors live in, when it has a fixed one. */
export function backendHeapBytes(backend: string): number | undefined {
  return backend === 'wasm' ? WASM_HEAP_BYTES : undefined;
}

/**
 * What a training step may use: wasm32's heap, else the machine's memory (tfjs-node, cpu). The
 * refusal names it.
 */
export function trainingBudget(backend: string): { bytes: number; name: string } {
  const heap = backendHeapBytes(backend);
  if (heap !== undefined) return { bytes: heap, name: `${gib(heap)} heap` };
  const ram = os.totalmem();
  return { bytes: ram, name: `machine's ${gib(ram)} of memory` };
}

/**
 * A refusal in numbers when a training step cannot fit the backend (`trainingBudget`), else undefined.
 * Says what would fit: the longest max_length at batch 1, or that the weights alone do not.
 */
export function trainingRefusal(c: CausalLMConfig, s: TrainingShape, backend: string): string | undefined {
  const budget = trainingBudget(backend);
  const m = estimateTrainingMemory(c, s);
  if (m.totalBytes <= budget.bytes) return undefined;
  const what = `${(m.parameters / 1e6).toFixed(1)}M parameters, batch ${s.batchSize}, max_length ${s.maxLength}${s.spo ? ', SPO variant rows' : ''}`;
  const head = `cannot train on the ${backend} backend: the estimate is ${gib(m.totalBytes)} (weights, gradients, Adam and reference ${gib(m.weightBytes)}` +
    ` + activations of ${m.sequences} sequences over a vocabulary of ${c.vocabSize.toLocaleString('en-US')} ${gib(m.activationBytes)}) for ${what}, over the ${budget.name}.`;
  if (m.weightBytes >= budget.bytes) return `${head} The weights alone do not fit: use the torch engine (engine: torch).`;
  let fit = 0;
  for (let T = 8; T <= s.maxLength; T += 8) {
    if (estimateTrainingMemory(c, { ...s, batchSize: 1, maxLength: T }).totalBytes <= budget.bytes) fit = T;
  }
  const hint = fit > 0 ? `At batch 1 the longest max_length that fits is about ${fit}` : 'Not even batch 1 with max_length 8 fits';
  const native = backendHeapBytes(backend) !== undefined ? ', or a native backend (tfjs-node) that is bounded by RAM' : '';
  return `${head} ${hint}; or use the torch engine (engine: torch)${native}.`;
}

/** A refusal when even scoring cannot fit the backend's heap (the weights are most of it). */
export function describeScoringMemory(c: CausalLMConfig, backend: string): { bytes: number; refusal?: string } {
  const bytes = estimateScoringBytes(c);
  const heap = backendHeapBytes(backend);
  if (heap === undefined || bytes <= heap) return { bytes };
  return {
    bytes,
    refusal: `cannot score on the ${backend} backend: ${(parameterCount(c) / 1e6).toFixed(1)}M parameters need about ${gib(bytes)}` +
      ` (weights twice over, for the per-pass transposes, plus one layer and one logit piece) over the ${gib(heap)} heap; use a native backend (tfjs-node) or the torch engine`,
  };
}
