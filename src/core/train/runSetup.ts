// Everything a training loop needs, made (new run) or read back (resume) in one place: backend, pairs and
// split, key spans, tokenizer and policy (an HF folder, or the tiny preset: BPE + GPT-2 + SFT), the
// reference or its cached log-probs, the SPO heads, AdamW and the trainer state.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, CausalLMConfig, TF, TextTokenizer } from '../model/types';
import type { PreferencePair } from '../data/types';
import type { TrainerEvent, TrainerPhase } from '../protocol/trainer';
import { loadTf } from '../model/backend';
import { HfTextTokenizer, loadTokenizer } from '../model/tokenizer';
import { trainByteLevelBpe } from '../model/bpeTrainer';
import { createGpt2, gpt2FromTensors } from '../model/gpt2';
import { llamaFromTensors } from '../model/llama';
import { loadCausalLM, modelTensors, readHfConfigFile, saveCausalLM } from '../model/checkpoint';
import { EncodedPair, encodePair } from '../model/logprobs';
import { ChatTemplate, encodeChatPair, loadChatTemplate } from '../model/chatTemplate';
import { trainingRefusal } from '../model/memory';
import { promptMessages } from '../engine/promptMessages';
import { createExtractor } from '../keys';
import { SeededRandom } from '../random';
import { AlignLoss, TrainConfig, alignLoss, effectiveLearningRate } from './config';
import { usesReference } from './losses';
import { DegreeAugmenter } from './augmenter';
import { BatchSource, EncodedResponses, PairKeys, ReferenceLogps, pairRows } from './batch';
import { Split, TrainingPairs, checkSavedSplit, loadTrainingPairs, splitFor } from './trainingData';
import { SpoHeads, createSpoHeads, spoHeadsFromTensors } from './spoHeads';
import { AdamW, ScheduleOptions } from './optim';
import { StepSettings, referenceLogps } from './step';
import { RUN_FILES, RunFolder } from './runFolder';
import { HEADS_FILE, OPTIMIZER_FILE, TrainerState, chooseResumeCheckpoint, readFloatTensors, readTrainerState } from './checkpoint';
import { HealthMonitor, HealthState } from './health';
import { runSft } from './sft';

/** How setup reports: events to metrics.jsonl (and the hooks), and the stop request it polls. */
export interface RunIO {
  emit: (event: TrainerEvent) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  progress: (phase: TrainerPhase, step: number, totalSteps: number, etaSeconds: number | null) => void;
  shouldStop: () => boolean;
  /** Where tfjs-backend-wasm's .wasm files are. */
  wasmDir?: string;
}

export interface RunSetup {
  tf: TF;
  loss: AlignLoss;
  data: TrainingPairs;
  split: Split;
  tokenizer: TextTokenizer;
  policy: CausalLM;
  /** The frozen reference in memory; null for reference-free losses and when its log-probs are cached. */
  reference: CausalLM | null;
  /** Null when SPO is off (γ = 0). */
  heads: SpoHeads | null;
  /** What every step trains: the policy's weights, and the heads' when SPO is on. */
  params: Map<string, tfjs.Variable>;
  optimizer: AdamW;
  dataRng: SeededRandom;
  health: HealthMonitor;
  state: TrainerState;
  /** The checkpoint a resume continues from; null for a new run. */
  resumedFrom: string | null;
  /** Pairs, key spans, encoded rows, variants and reference log-probs: what a batch's input is built from. */
  batches: BatchSource;
  settings: StepSettings;
  schedule: ScheduleOptions;
}

const now = () => Date.now();

/** What the TF.js backend computes on, for the started event: only the CUDA build of tfjs-node uses a GPU. */
function tfjsDevice(backend: string, choice: string, notes: readonly string[]): string {
  if (backend !== 'tensorflow') return 'cpu';
  const gpuLoaded = choice === 'tfjs-node-gpu' || (choice === 'auto' && !notes.some((n) => n.startsWith('tfjs-node-gpu')));
  return gpuLoaded ? 'gpu' : 'cpu';
}

function cloneModel(tf: TF, model: CausalLM, namePrefix: string, trainable: boolean): CausalLM {
  const tensors = new Map([...modelTensors(model)].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }]));
  const build = model.config.architecture === 'gpt2' ? gpt2FromTensors : llamaFromTensors;
  return build(tf, model.config, tensors, `copy of ${namePrefix}`, { namePrefix, trainable });
}

/** The newest usable checkpoint of the run; a torn newer one (a crash mid-write, a disk error) is skipped, saying so. */
function resumeCheckpoint(run: RunFolder, log: RunIO['log']): string {
  const steps = run.checkpointSteps();
  if (steps.length === 0) throw new Error(`${run.dir}: no checkpoint to resume from`);
  const chosen = chooseResumeCheckpoint(steps, (s) => run.checkpointDir(s));
  for (const skip of chosen?.skipped ?? []) log('warn', `skipping checkpoint step-${skip.step}: ${skip.problem}`);
  if (!chosen) throw new Error(`${run.dir}: no usable checkpoint to resume from (every one is incomplete or corrupt)`);
  return chosen.dir;
}

/** The tiny preset's tokenizer (byte-level BPE trained on the training split) and the config of its fresh GPT-2. */
function tinyTokenizer(cfg: TrainConfig, pairs: readonly PreferencePair[], train: readonly number[], io: RunIO): { tokenizer: TextTokenizer; config: CausalLMConfig } {
  io.progress('tokenizer', 0, 1, null);
  const texts = train.flatMap((i) => [pairs[i].prompt.text, pairs[i].chosen.text, pairs[i].rejected.text]);
  const bpe = trainByteLevelBpe(texts, { vocabSize: cfg.tiny_vocab_size, modelMaxLength: cfg.tiny_context_length });
  const tokenizer = new HfTextTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);
  io.log('info', `tiny preset: byte-level BPE tokenizer with ${tokenizer.vocabSize} tokens (${bpe.merges} merges) trained on the training split`);
  const D = cfg.tiny_d_model;
  const config: CausalLMConfig = {
    architecture: 'gpt2', vocabSize: tokenizer.vocabSize, contextLength: cfg.tiny_context_length, dModel: D,
    nLayers: cfg.tiny_n_layers, nHeads: cfg.tiny_n_heads, nKvHeads: cfg.tiny_n_heads, dFf: 4 * D,
    tieWordEmbeddings: true, normEps: 1e-5, bosTokenId: tokenizer.bosTokenId, eosTokenId: tokenizer.eosTokenId,
  };
  return { tokenizer, config };
}

/** SFT on prompt + chosen: the tiny preset's result is both the reference policy and the starting point. */
async function tinySft(tf: TF, policy: CausalLM, sequences: EncodedPair[], cfg: TrainConfig, padId: number, io: RunIO): Promise<void> {
  const t0 = now();
  const total = cfg.tiny_sft_steps;
  const last = await runSft(tf, policy, sequences, {
    steps: total, batchSize: cfg.per_device_train_batch_size, learningRate: cfg.tiny_sft_learning_rate,
    warmupSteps: Math.min(10, total), padId, seed: cfg.seed, maxGradNorm: cfg.max_grad_norm, shouldStop: io.shouldStop,
    onStep: (step, loss) => {
      io.progress('sft', step, total, step > 1 ? ((now() - t0) / 1000 / step) * (total - step) : null);
      if (step % 25 === 0 || step === total) io.log('info', `sft step ${step}/${total} loss ${loss.toFixed(4)}`);
    },
  });
  io.log('info', `SFT done: ${total} steps, final LM loss ${last.toFixed(4)} (the reference policy)`);
}

/**
 * A new run's reference: the starting policy, saved into reference/ so a resume uses the very same weights,
 * and with precompute_ref_log_probs its log-probs for every pair, saved too (the model is then dropped).
 */
function makeReference(tf: TF, run: RunFolder, policy: CausalLM, tokenizer: TextTokenizer, encoded: readonly EncodedResponses[], cfg: TrainConfig, padId: number):
  { reference: CausalLM | null; cached: Map<number, { chosen: number; rejected: number }> | null } {
  saveCausalLM(policy, run.mkdir(RUN_FILES.reference), tokenizer);
  const reference = cloneModel(tf, policy, 'reference', false);
  if (!cfg.precompute_ref_log_probs) return { reference, cached: null };
  const cached = new Map<number, { chosen: number; rejected: number }>();
  const B = cfg.per_device_train_batch_size;
  for (let s = 0; s < encoded.length; s += B) {
    const idx = Array.from({ length: Math.min(B, encoded.length - s) }, (_, j) => s + j);
    const r = referenceLogps(tf, reference, pairRows(encoded, idx), idx.length, padId);
    idx.forEach((i, j) => cached.set(i, { chosen: r.chosen[j], rejected: r.rejected[j] }));
  }
  run.writeJson(RUN_FILES.refLogps, [...cached].map(([i, v]) => [i, v.chosen, v.rejected]));
  reference.dispose();
  return { reference: null, cached };
}

/** A resume's reference: the saved log-probs when they were precomputed, else the saved model. */
function reopenReference(tf: TF, run: RunFolder, cfg: TrainConfig):
  { reference: CausalLM | null; cached: Map<number, { chosen: number; rejected: number }> | null } {
  if (!cfg.precompute_ref_log_probs) {
    return { reference: loadCausalLM(tf, run.path(RUN_FILES.reference), { namePrefix: 'reference', trainable: false }), cached: null };
  }
  const saved = run.readJson<Array<[number, number, number]>>(RUN_FILES.refLogps);
  return { reference: null, cached: new Map(saved.map(([i, c, r]) => [i, { chosen: c, rejected: r }])) };
}

/**
 * The SPO heads: those saved beside the weights the run starts from (a checkpoint's, or a model folder's
 * `spo_heads.safetensors`, which lets two engines start from the same heads), else fresh seeded ones.
 */
function spoHeadsFor(tf: TF, weightsDir: string | null, dModel: number, classes: number, seed: number): SpoHeads {
  const file = weightsDir ? path.join(weightsDir, HEADS_FILE) : null;
  if (!file || !fs.existsSync(file)) return createSpoHeads(tf, dModel, classes, seed + 1);
  const heads = spoHeadsFromTensors(tf, readFloatTensors(file), file);
  if (heads.dModel !== dModel || heads.classes !== classes) {
    for (const v of heads.weights.values()) v.dispose();
    throw new Error(`${file}: heads of d_model ${heads.dModel} and ${heads.classes} classes do not fit this run (d_model ${dModel}, spo_classes ${classes})`);
  }
  return heads;
}

/** Set up a run: `resume` continues from the run folder's newest usable checkpoint. Emits `started`. */
export async function setupRun(run: RunFolder, cfg: TrainConfig, resume: boolean, io: RunIO): Promise<RunSetup> {
  const loss = alignLoss(cfg);
  const { tf, backend, notes } = await loadTf({ backend: cfg.backend, wasmDir: io.wasmDir });
  const data = await loadTrainingPairs(cfg, io.log);
  io.emit({
    type: 'started', runDir: run.dir, runName: path.basename(run.dir), backend, backendNote: notes.join('; '),
    totalSteps: cfg.max_steps, config: cfg as unknown as Record<string, unknown>, time: now(),
    pid: process.pid, host: os.hostname(), engine: 'tfjs', device: tfjsDevice(backend, cfg.backend, notes),
  });

  // The resume branch: a resume reads back the split and picks its checkpoint; a new run writes split and config.
  let split: Split;
  let checkpoint: string | null = null;
  if (resume) {
    split = run.readJson<Split>(RUN_FILES.split);
    checkSavedSplit(split, data, cfg, run.path(RUN_FILES.split));
    checkpoint = resumeCheckpoint(run, io.log);
  } else {
    split = splitFor(data, cfg);
    run.writeJson(RUN_FILES.split, split);
    run.writeJson(RUN_FILES.config, cfg);
  }
  const { pairs } = data;
  const heldOutFrom = split.evalData ? ` from ${split.evalData}` : '';
  io.log('info', `${pairs.length} pairs (${split.train.length} train, ${split.eval.length} held out${heldOutFrom}); loss ${loss}, β ${cfg.beta}, γ ${cfg.spo_gamma}, K ${cfg.spo_classes}, lr ${effectiveLearningRate(cfg)}`);
  const extractor = createExtractor(cfg.extractor);
  const keys: PairKeys[] = pairs.map((p) => ({ chosen: extractor.extract(p.chosen.text, cfg.max_keys), rejected: extractor.extract(p.rejected.text, cfg.max_keys) }));

  // ---- tokenizer and policy: from the checkpoint, the model folder, or the tiny preset ----
  const spoOn = cfg.spo_gamma > 0;
  const needsRef = usesReference(loss);
  const refInMemory = needsRef && !cfg.precompute_ref_log_probs;
  const weightsDir = checkpoint ?? cfg.model;
  const tiny = weightsDir ? null : tinyTokenizer(cfg, pairs, split.train, io);
  const modelConfig = tiny ? tiny.config : readHfConfigFile(weightsDir!);
  // Before any weight is allocated: a step that cannot fit the backend is refused in numbers.
  const refusal = trainingRefusal(modelConfig, {
    batchSize: cfg.per_device_train_batch_size, maxLength: Math.min(cfg.max_length, modelConfig.contextLength), spo: spoOn, reference: refInMemory,
  }, backend);
  if (refusal) throw new Error(`${weightsDir ?? 'the tiny preset'}: ${refusal}`);
  const template: ChatTemplate | undefined = weightsDir ? loadChatTemplate(weightsDir) : undefined;
  const { tokenizer, policy } = tiny
    ? { tokenizer: tiny.tokenizer, policy: createGpt2(tf, tiny.config, cfg.seed, { namePrefix: 'policy' }) }
    : { tokenizer: loadTokenizer(weightsDir!), policy: loadCausalLM(tf, weightsDir!, { namePrefix: 'policy' }) };
  run.writeFile(RUN_FILES.tokenizer, JSON.stringify(tokenizer.toJSON()));
  const padId = tokenizer.eosTokenId ?? 0;
  const maxLen = Math.min(cfg.max_length, policy.config.contextLength);
  // A model with a chat template gets chat-message prompts formatted by it, as TRL does (HH included).
  const messagesOf = pairs.map((p) => (template ? promptMessages(p) : null));
  const encodeResponses = (i: number, chosen: string, rejected: string): EncodedResponses => {
    const messages = messagesOf[i];
    if (template && messages) return encodeChatPair(tokenizer, template, messages, chosen, rejected, maxLen);
    const p = pairs[i].prompt.text;
    return { chosen: encodePair(tokenizer, p, chosen, maxLen), rejected: encodePair(tokenizer, p, rejected, maxLen) };
  };
  const encoded = pairs.map((p, i) => encodeResponses(i, p.chosen.text, p.rejected.text));
  const chatPairs = messagesOf.filter(Boolean).length;
  if (chatPairs) io.log('info', `${chatPairs} of ${pairs.length} pairs formatted with the model's chat template`);
  if (!weightsDir && cfg.tiny_sft_steps > 0) await tinySft(tf, policy, split.train.map((i) => encoded[i].chosen), cfg, padId, io);

  // ---- heads, optimizer; then what a new run makes and a resume reads back: reference and state ----
  const heads = spoOn ? spoHeadsFor(tf, weightsDir, policy.config.dModel, cfg.spo_classes, cfg.seed) : null;
  const params = new Map<string, tfjs.Variable>();
  for (const v of [...policy.weights.values(), ...(heads?.weights.values() ?? [])]) params.set(v.name, v);
  const optimizer = new AdamW(tf, {
    beta1: cfg.adam_beta1, beta2: cfg.adam_beta2, epsilon: cfg.adam_epsilon, weightDecay: cfg.weight_decay, maxGradNorm: cfg.max_grad_norm,
  });
  const dataRng = new SeededRandom(cfg.seed);
  const health = new HealthMonitor(loss === 'sigmoid');
  let ref: ReturnType<typeof makeReference> = { reference: null, cached: null };
  let state: TrainerState;
  if (needsRef) io.progress('reference', 0, 1, null);
  if (checkpoint) {
    if (needsRef) ref = reopenReference(tf, run, cfg);
    state = readTrainerState(checkpoint);
    optimizer.loadState(state.optimizerStep, readFloatTensors(path.join(checkpoint, OPTIMIZER_FILE)));
    dataRng.setState(state.dataRng);
    health.setState(state.health as HealthState);
    io.log('info', `resumed from ${checkpoint} at step ${state.step}`);
  } else {
    if (needsRef) ref = makeReference(tf, run, policy, tokenizer, encoded, cfg, padId);
    state = { step: 0, optimizerStep: 0, epoch: 0, position: 0, order: dataRng.shuffled(split.train), dataRng: 0, health: null };
  }
  const { reference, cached } = ref;
  const referenceLogpsOf: ReferenceLogps | null = !needsRef ? null : cached
    ? (idx) => ({ chosen: idx.map((i) => cached.get(i)!.chosen), rejected: idx.map((i) => cached.get(i)!.rejected) })
    : (idx) => referenceLogps(tf, reference!, pairRows(encoded, idx), idx.length, padId);

  const maxLr = effectiveLearningRate(cfg);
  return {
    tf, loss, data, split, tokenizer, policy, reference, heads, params, optimizer, dataRng, health, state, resumedFrom: checkpoint,
    batches: {
      pairs, keys, encoded, encodeResponse: (i, response) => encodeResponses(i, response, response).chosen,
      augmenter: spoOn ? new DegreeAugmenter(cfg.spo_classes) : null, seed: cfg.seed, referenceLogps: referenceLogpsOf,
    },
    settings: {
      loss, gamma: cfg.spo_gamma, pooling: cfg.spo_pooling, padId,
      lossOptions: { beta: cfg.beta, labelSmoothing: cfg.label_smoothing, simpoGamma: cfg.simpo_gamma, orpoLambda: cfg.orpo_lambda },
    },
    schedule: { maxLr, minLr: maxLr * cfg.min_lr_ratio, warmupSteps: cfg.warmup_steps, totalSteps: cfg.max_steps },
  };
}
