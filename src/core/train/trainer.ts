// The SPO training run, top to bottom (nanoGPT style): data and split, key spans, models (tiny preset:
// tokenizer + GPT-2 + SFT reference; or an HF folder), then the loop: augment, L_align + γ·CE,
// AdamW with warmup + cosine, log, eval, checkpoint; finally per-example degrees (unless write_degrees is false).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as tfjs from '@tensorflow/tfjs';
import type { CausalLM, TF, TextTokenizer } from '../model/types';
import type { PreferencePair } from '../data/types';
import type { KeySpan } from '../keys/types';
import type { MetricsRow, TrainerEvent, TrainerPhase } from '../protocol/trainer';
import { loadTf } from '../model/backend';
import { HfTextTokenizer, loadTokenizer } from '../model/tokenizer';
import { trainByteLevelBpe } from '../model/bpeTrainer';
import { createGpt2, gpt2FromTensors } from '../model/gpt2';
import { llamaFromTensors } from '../model/llama';
import { loadCausalLM, modelTensors, saveCausalLM } from '../model/checkpoint';
import { EncodedPair, encodePair } from '../model/logprobs';
import { ChatTemplate, encodeChatPair, loadChatTemplate } from '../model/chatTemplate';
import { readHfConfigFile } from '../model/checkpoint';
import { trainingRefusal } from '../model/memory';
import { promptMessages } from '../engine/promptMessages';
import { createExtractor } from '../keys';
import { SeededRandom } from '../random';
import { ConfigError, TrainConfig, alignLoss, effectiveLearningRate, tfjsEngineProblem } from './config';
import { usesReference } from './losses';
import { DegreeAugmenter } from './augmenter';
import { EVAL_STEP, VARIANT_STREAM } from './variantDraws';
import { Split, checkSavedSplit, loadTrainingPairs, splitFor } from './trainingData';
import { SpoHeads, createSpoHeads, disposeSpoHeads, spoHeadsFromTensors } from './spoHeads';
import { AdamW, learningRateAt } from './optim';
import { StepInput, StepMetrics, StepSettings, VariantRow, referenceLogps, stepLoss } from './step';
import { RUN_FILES, RunFolder } from './runFolder';
import { HEADS_FILE, OPTIMIZER_FILE, TrainerState, chooseResumeCheckpoint, quarantineCheckpoint, readFloatTensors, readTrainerState, saveCheckpoint } from './checkpoint';
import { nanStopPlan } from './finiteGuard';
import { assertStepFits } from './memoryBudget';
import { HealthMonitor, HealthState } from './health';
import { runSft } from './sft';
import { computeDegrees } from './degrees';

export interface TrainerHooks {
  /** Every event, after it is appended to metrics.jsonl. */
  onEvent?: (event: TrainerEvent) => void;
  /** Polled between steps; true → save a checkpoint and finish with done(stopped). */
  shouldStop?: () => boolean;
  /** Test hook: see (and replace) the host value of a step's loss before the NaN check. */
  inspectLoss?: (step: number, loss: number) => number;
}

export interface TrainOptions {
  config: TrainConfig;
  /** Run folder (created when new). */
  runDir: string;
  /** Continue from the run folder's last checkpoint. */
  resume?: boolean;
  /** Where tfjs-backend-wasm's .wasm files are (the bundle copies them beside dist/*.js). */
  wasmDir?: string;
  hooks?: TrainerHooks;
}

export interface TrainResult {
  reason: 'completed' | 'stopped' | 'failed';
  step: number;
  message?: string;
  runDir: string;
  /** Last eval row, when an eval ran. */
  lastEval?: MetricsRow;
}

export { makeSplit, explicitSplit } from './trainingData';

function cloneModel(tf: TF, model: CausalLM, namePrefix: string, trainable: boolean): CausalLM {
  const tensors = new Map([...modelTensors(model)].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }]));
  const build = model.config.architecture === 'gpt2' ? gpt2FromTensors : llamaFromTensors;
  return build(tf, model.config, tensors, `copy of ${namePrefix}`, { namePrefix, trainable });
}

const now = () => Date.now();

/** What the TF.js backend computes on, for the started event: only the CUDA build of tfjs-node uses a GPU. */
function tfjsDevice(backend: string, choice: string, notes: readonly string[]): string {
  if (backend !== 'tensorflow') return 'cpu';
  const gpuLoaded = choice === 'tfjs-node-gpu' || (choice === 'auto' && !notes.some((n) => n.startsWith('tfjs-node-gpu')));
  return gpuLoaded ? 'gpu' : 'cpu';
}
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Run (or resume) a training. Errors after the run folder is claimed end with a done(failed) event in
 * metrics.jsonl before they propagate.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const unsupported = tfjsEngineProblem(options.config);
  if (unsupported) throw new ConfigError(unsupported);
  const run = new RunFolder(options.runDir);
  if (!options.resume && run.exists(RUN_FILES.metrics)) {
    throw new Error(`${run.dir} already holds a run (metrics.jsonl exists): continue it with --resume, or choose another --out`);
  }
  run.claim(); // refuses a run folder that is a link
  let lastStep = 0;
  const onEvent = options.hooks?.onEvent;
  try {
    return await trainInFolder(run, { ...options, hooks: { ...options.hooks, onEvent: (e) => { if (e.type === 'metrics') lastStep = e.row.step; onEvent?.(e); } } });
  } catch (err) {
    const event: TrainerEvent = { type: 'done', reason: 'failed', step: lastStep, message: (err as Error).message, time: now() };
    try {
      run.record(event);
    } catch {
      // the folder itself is what failed (a link in place of log.txt): the original error says so
    }
    onEvent?.(event);
    throw err;
  }
}

async function trainInFolder(run: RunFolder, options: TrainOptions): Promise<TrainResult> {
  const cfg = options.config;
  const loss = alignLoss(cfg);
  const hooks = options.hooks ?? {};
  const emit = (event: TrainerEvent): void => {
    run.record(event);
    hooks.onEvent?.(event);
  };
  const log = (level: 'info' | 'warn' | 'error', message: string) => emit({ type: 'log', level, message, time: now() });
  const progress = (phase: TrainerPhase, step: number, totalSteps: number, etaSeconds: number | null) =>
    emit({ type: 'progress', phase, step, totalSteps, etaSeconds, time: now() });
  const stopRequested = () => hooks.shouldStop?.() ?? false;

  // ---- backend -------------------------------------------------------------------------------
  const { tf, backend, notes } = await loadTf({ backend: cfg.backend, wasmDir: options.wasmDir });

  // ---- data, split, key spans ------------------------------------------------------------------
  const { dataPairs, evalPairs, pairs } = await loadTrainingPairs(cfg, log);
  let split: Split;
  if (options.resume) {
    split = run.readJson<Split>(RUN_FILES.split);
    checkSavedSplit(split, { dataPairs, evalPairs, pairs }, cfg, run.path(RUN_FILES.split));
  } else {
    split = splitFor({ dataPairs, evalPairs, pairs }, cfg);
    run.writeJson(RUN_FILES.split, split);
    run.writeJson(RUN_FILES.config, cfg);
  }
  const evalSet = new Set(split.eval);
  const extractor = createExtractor(cfg.extractor);
  const keys: Array<{ chosen: KeySpan[]; rejected: KeySpan[] }> = pairs.map((p) => ({
    chosen: extractor.extract(p.chosen.text, cfg.max_keys),
    rejected: extractor.extract(p.rejected.text, cfg.max_keys),
  }));

  emit({
    type: 'started', runDir: run.dir, runName: path.basename(run.dir), backend, backendNote: notes.join('; '),
    totalSteps: cfg.max_steps, config: cfg as unknown as Record<string, unknown>, time: now(),
    pid: process.pid, host: os.hostname(), engine: 'tfjs', device: tfjsDevice(backend, cfg.backend, notes),
  });
  const heldOutFrom = split.evalData ? ` from ${split.evalData}` : '';
  log('info', `${pairs.length} pairs (${split.train.length} train, ${split.eval.length} held out${heldOutFrom}); loss ${loss}, β ${cfg.beta}, γ ${cfg.spo_gamma}, K ${cfg.spo_classes}, lr ${effectiveLearningRate(cfg)}`);

  // ---- tokenizer and models ---------------------------------------------------------------------
  const needsRef = usesReference(loss);
  const spoOn = cfg.spo_gamma > 0;
  const checkpointSteps = options.resume ? run.checkpointSteps() : [];
  if (options.resume && checkpointSteps.length === 0) throw new Error(`${run.dir}: no checkpoint to resume from`);
  // The newest checkpoint may be torn (a crash mid-write by an older version, a disk error): fall back, saying so.
  const resumeFrom = options.resume ? chooseResumeCheckpoint(checkpointSteps, (s) => run.checkpointDir(s)) : null;
  for (const skip of resumeFrom?.skipped ?? []) log('warn', `skipping checkpoint step-${skip.step}: ${skip.problem}`);
  if (options.resume && !resumeFrom) throw new Error(`${run.dir}: no usable checkpoint to resume from (every one is incomplete or corrupt)`);
  const resumeDir = resumeFrom ? resumeFrom.dir : null;

  let tokenizer: TextTokenizer;
  let policy: CausalLM;
  let reference: CausalLM | null = null;
  let template: ChatTemplate | undefined;
  const modelDir = resumeDir ?? cfg.model;
  if (modelDir) {
    // Before any weight is allocated: a step that cannot fit the wasm heap is refused in numbers.
    const refusal = trainingRefusal(readHfConfigFile(modelDir), {
      batchSize: cfg.per_device_train_batch_size, maxLength: cfg.max_length, spo: spoOn, reference: needsRef && !cfg.precompute_ref_log_probs,
    }, backend);
    if (refusal) throw new Error(refusal);
    template = loadChatTemplate(modelDir);
  }
  if (resumeDir) {
    tokenizer = loadTokenizer(resumeDir);
    policy = loadCausalLM(tf, resumeDir, { namePrefix: 'policy' });
  } else if (cfg.model) {
    tokenizer = loadTokenizer(cfg.model);
    policy = loadCausalLM(tf, cfg.model, { namePrefix: 'policy' });
  } else {
    progress('tokenizer', 0, 1, null);
    const texts = split.train.flatMap((i) => [pairs[i].prompt.text, pairs[i].chosen.text, pairs[i].rejected.text]);
    const bpe = trainByteLevelBpe(texts, { vocabSize: cfg.tiny_vocab_size, modelMaxLength: cfg.tiny_context_length });
    tokenizer = new HfTextTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);
    log('info', `tiny preset: byte-level BPE tokenizer with ${tokenizer.vocabSize} tokens (${bpe.merges} merges) trained on the training split`);
    const D = cfg.tiny_d_model;
    policy = createGpt2(tf, {
      architecture: 'gpt2', vocabSize: tokenizer.vocabSize, contextLength: cfg.tiny_context_length, dModel: D,
      nLayers: cfg.tiny_n_layers, nHeads: cfg.tiny_n_heads, nKvHeads: cfg.tiny_n_heads, dFf: 4 * D,
      tieWordEmbeddings: true, normEps: 1e-5, bosTokenId: tokenizer.bosTokenId, eosTokenId: tokenizer.eosTokenId,
    }, cfg.seed, { namePrefix: 'policy' });
  }
  run.writeFile(RUN_FILES.tokenizer, JSON.stringify(tokenizer.toJSON()));
  const padId = tokenizer.eosTokenId ?? 0;
  const maxLen = Math.min(cfg.max_length, policy.config.contextLength);
  // A model with a chat template gets chat-message prompts formatted by it, as TRL does (HH included).
  const messagesOf = pairs.map((p) => (template ? promptMessages(p) : null));
  const encodeResponses = (i: number, chosen: string, rejected: string): { chosen: EncodedPair; rejected: EncodedPair } => {
    const messages = messagesOf[i];
    if (template && messages) return encodeChatPair(tokenizer, template, messages, chosen, rejected, maxLen);
    const p = pairs[i].prompt.text;
    return { chosen: encodePair(tokenizer, p, chosen, maxLen), rejected: encodePair(tokenizer, p, rejected, maxLen) };
  };
  const encoded = pairs.map((p, i) => encodeResponses(i, p.chosen.text, p.rejected.text));
  const chatPairs = messagesOf.filter(Boolean).length;
  if (chatPairs) log('info', `${chatPairs} of ${pairs.length} pairs formatted with the model's chat template`);
  // Before the first forward pass allocates anything big: refuse a step that cannot fit, with the numbers.
  const longest = encoded.reduce((m, e) => Math.max(m, e.chosen.ids.length, e.rejected.ids.length), 1);
  assertStepFits(policy.config, { pairs: cfg.per_device_train_batch_size, tokens: longest, reference: needsRef && !cfg.precompute_ref_log_probs }, backend, resumeDir ?? cfg.model ?? 'the tiny preset');

  if (!resumeDir && !cfg.model && cfg.tiny_sft_steps > 0) {
    // SFT on prompt + chosen: the result is the reference policy and the starting point.
    const sftSeqs = split.train.map((i) => encoded[i].chosen);
    const t0 = now();
    const last = await runSft(tf, policy, sftSeqs, {
      steps: cfg.tiny_sft_steps, batchSize: cfg.per_device_train_batch_size, learningRate: cfg.tiny_sft_learning_rate,
      warmupSteps: Math.min(10, cfg.tiny_sft_steps), padId, seed: cfg.seed, maxGradNorm: cfg.max_grad_norm,
      shouldStop: stopRequested,
      onStep: (step, loss) => {
        const total = cfg.tiny_sft_steps;
        const eta = ((now() - t0) / 1000 / step) * (total - step);
        progress('sft', step, total, step > 1 ? eta : null);
        if (step % 25 === 0 || step === total) log('info', `sft step ${step}/${total} loss ${loss.toFixed(4)}`);
      },
    });
    log('info', `SFT done: ${cfg.tiny_sft_steps} steps, final LM loss ${last.toFixed(4)} (the reference policy)`);
  }

  // The reference: saved once into reference/ so a resume uses the very same weights.
  let refCache: Map<number, { chosen: number; rejected: number }> | null = null;
  if (needsRef) {
    progress('reference', 0, 1, null);
    if (resumeDir) {
      if (cfg.precompute_ref_log_probs) {
        const saved = run.readJson<Array<[number, number, number]>>(RUN_FILES.refLogps);
        refCache = new Map(saved.map(([i, c, r]) => [i, { chosen: c, rejected: r }]));
      } else {
        reference = loadCausalLM(tf, run.path(RUN_FILES.reference), { namePrefix: 'reference', trainable: false });
      }
    } else {
      saveCausalLM(policy, run.mkdir(RUN_FILES.reference), tokenizer);
      reference = cloneModel(tf, policy, 'reference', false);
      if (cfg.precompute_ref_log_probs) {
        refCache = new Map();
        for (let s = 0; s < pairs.length; s += cfg.per_device_train_batch_size) {
          const idx = Array.from({ length: Math.min(cfg.per_device_train_batch_size, pairs.length - s) }, (_, j) => s + j);
          const r = referenceLogps(tf, reference, [...idx.map((i) => encoded[i].chosen), ...idx.map((i) => encoded[i].rejected)], idx.length, padId);
          idx.forEach((i, j) => refCache!.set(i, { chosen: r.chosen[j], rejected: r.rejected[j] }));
        }
        run.writeJson(RUN_FILES.refLogps, [...refCache].map(([i, v]) => [i, v.chosen, v.rejected]));
        reference.dispose(); // precomputed: the reference is no longer needed in memory
        reference = null;
      }
    }
  }
  const refFor = (idx: number[]): { chosen: number[]; rejected: number[] } => {
    if (refCache) return { chosen: idx.map((i) => refCache!.get(i)!.chosen), rejected: idx.map((i) => refCache!.get(i)!.rejected) };
    return referenceLogps(tf, reference!, [...idx.map((i) => encoded[i].chosen), ...idx.map((i) => encoded[i].rejected)], idx.length, padId);
  };

  // ---- heads, optimizer, state -----------------------------------------------------------------------
  const K = cfg.spo_classes;
  const heads: SpoHeads = resumeDir && fs.existsSync(path.join(resumeDir, HEADS_FILE))
    ? spoHeadsFromTensors(tf, readFloatTensors(path.join(resumeDir, HEADS_FILE)), path.join(resumeDir, HEADS_FILE))
    : createSpoHeads(tf, policy.config.dModel, K, cfg.seed + 1);
  const params = new Map<string, tfjs.Variable>();
  for (const v of policy.weights.values()) params.set(v.name, v);
  if (spoOn) for (const v of heads.weights.values()) params.set(v.name, v);
  const optimizer = new AdamW(tf, {
    beta1: cfg.adam_beta1, beta2: cfg.adam_beta2, epsilon: cfg.adam_epsilon, weightDecay: cfg.weight_decay, maxGradNorm: cfg.max_grad_norm,
  });
  const dataRng = new SeededRandom(cfg.seed);
  const health = new HealthMonitor(loss === 'sigmoid');
  let state: TrainerState;
  if (resumeDir) {
    state = readTrainerState(resumeDir);
    optimizer.loadState(state.optimizerStep, readFloatTensors(path.join(resumeDir, OPTIMIZER_FILE)));
    dataRng.setState(state.dataRng);
    health.setState(state.health as HealthState);
    log('info', `resumed from ${resumeDir} at step ${state.step}`);
  } else {
    state = { step: 0, optimizerStep: 0, epoch: 0, position: 0, order: dataRng.shuffled(split.train), dataRng: 0, health: null };
  }

  const maxLr = effectiveLearningRate(cfg);
  const schedule = { maxLr, minLr: maxLr * cfg.min_lr_ratio, warmupSteps: cfg.warmup_steps, totalSteps: cfg.max_steps };
  const settings: StepSettings = {
    loss,
    lossOptions: { beta: cfg.beta, labelSmoothing: cfg.label_smoothing, simpoGamma: cfg.simpo_gamma, orpoLambda: cfg.orpo_lambda },
    gamma: cfg.spo_gamma,
    pooling: cfg.spo_pooling,
    padId,
  };
  const augmenter = new DegreeAugmenter(K);

  /**
   * The step input for some pairs: intact rows, SPO variants (c = 0 reuses the intact row). The variants
   * are the counter-based draws of (seed, step, pair index, side): the torch engine draws the same ones.
   */
  const buildInput = (idx: number[], step: number): StepInput => {
    const B = idx.length;
    const sequences = [...idx.map((i) => encoded[i].chosen), ...idx.map((i) => encoded[i].rejected)];
    const pref: VariantRow[] = [];
    const dispref: VariantRow[] = [];
    let kept = 0;
    if (spoOn) {
      idx.forEach((i, j) => {
        for (const side of ['chosen', 'rejected'] as const) {
          const v = augmenter.augment(pairs[i][side].text, keys[i][side], { seed: cfg.seed, step, index: i, stream: VARIANT_STREAM[side] });
          if (!v.kept) continue;
          kept++;
          const intactRow = side === 'chosen' ? j : B + j;
          let row = intactRow;
          if (v.removed > 0) {
            row = sequences.length;
            sequences.push(encodeResponses(i, v.text, v.text).chosen);
          }
          (side === 'chosen' ? pref : dispref).push({ row, label: v.label });
        }
      });
    }
    return { sequences, pairs: B, pref, dispref, coverage: kept / (2 * B), refLogps: needsRef ? refFor(idx) : undefined };
  };

  const saveNow = (step: number): string => {
    const dir = run.checkpointDir(step);
    state = { ...state, step, optimizerStep: optimizer.step, dataRng: dataRng.getState(), health: health.getState() };
    saveCheckpoint(dir, policy, tokenizer, spoOn ? heads : null, optimizer, state);
    emit({ type: 'checkpoint', step, path: dir, time: now() });
    return dir;
  };

  /** Eval on the held-out split; undefined when a stop request cut it short (no row is logged). */
  const evaluate = async (step: number): Promise<MetricsRow | undefined> => {
    const sums: Record<string, number> = {};
    const weights: Record<string, number> = {};
    for (let s = 0; s < split.eval.length; s += cfg.per_device_train_batch_size) {
      await yieldToEventLoop();
      if (stopRequested()) return undefined;
      const idx = split.eval.slice(s, s + cfg.per_device_train_batch_size);
      const input = buildInput(idx, EVAL_STEP); // the same variants at every eval, so evals compare
      let m: StepMetrics = {};
      tf.tidy(() => { m = stepLoss(tf, policy, spoOn ? heads : null, input, settings).collect(); });
      for (const [k, v] of Object.entries(m)) {
        const w = k.startsWith('spo/acc_pref') ? input.pref.length : k.startsWith('spo/acc_dispref') ? input.dispref.length : idx.length;
        sums[k] = (sums[k] ?? 0) + v * w;
        weights[k] = (weights[k] ?? 0) + w;
      }
    }
    const row: MetricsRow = { step };
    for (const k of Object.keys(sums)) row[`eval/${k}`] = sums[k] / Math.max(1, weights[k]);
    emit({ type: 'metrics', split: 'eval', row, time: now() });
    return row;
  };

  const finish = (reason: TrainResult['reason'], step: number, message?: string): TrainResult => {
    emit(message === undefined ? { type: 'done', reason, step, time: now() } : { type: 'done', reason, step, message, time: now() });
    optimizer.dispose();
    disposeSpoHeads(heads);
    reference?.dispose();
    policy.dispose();
    return { reason, step, message, runDir: run.dir, lastEval };
  };


  // ---- the loop -------------------------------------------------------------------------------------------
  let lastEval: MetricsRow | undefined;
  let lastSaved = resumeDir ? state.step : -1;
  const startStep = state.step;
  let prevInput: StepInput | null = null;
  const t0 = now();
  for (let step = startStep + 1; step <= cfg.max_steps; step++) {
    await yieldToEventLoop(); // lets IPC 'stop' messages and signals arrive between steps
    if (stopRequested()) {
      const done = step - 1;
      if (lastSaved !== done) saveNow(done);
      return finish('stopped', done, 'stopped on request');
    }
    // Next batch in the epoch's order; a new epoch reshuffles (the order and position are checkpointed).
    const idx: number[] = [];
    while (idx.length < cfg.per_device_train_batch_size) {
      if (state.position >= state.order.length) {
        state = { ...state, epoch: state.epoch + 1, position: 0, order: dataRng.shuffled(split.train) };
      }
      idx.push(state.order[state.position]);
      state = { ...state, position: state.position + 1 };
    }
    const stepStart = now();
    const input = buildInput(idx, step);
    let result: ReturnType<typeof stepLoss> | null = null;
    const { value, grads } = tf.variableGrads(() => {
      result = stepLoss(tf, policy, spoOn ? heads : null, input, settings);
      return result.loss;
    }, [...params.values()]);
    const metrics = result!.collect();
    value.dispose();
    const lossValue = hooks.inspectLoss ? hooks.inspectLoss(step, metrics.loss) : metrics.loss;
    const lr = learningRateAt(step, schedule);
    // Finite checks come before the update: NaN never reaches the weights, the moments or a checkpoint.
    const update = Number.isFinite(lossValue) ? optimizer.applyIfFinite(params, new Map(Object.entries(grads)), lr) : null;
    tf.dispose(Object.values(grads));
    const stability = health.observeStability(step, lossValue, update ? update.gradNorm : null);
    if (stability.stop || (update && !update.applied)) {
      const problem = update && !update.applied ? update.problem : stability.alerts[0].message.replace(/ at step \d+$/, '');
      // The weights now are those of step k − 1: do they fail on the previous batch too (weights gone bad), or only here?
      const recheck = prevInput ?? input;
      let recheckLoss = NaN;
      tf.tidy(() => { recheckLoss = stepLoss(tf, policy, spoOn ? heads : null, recheck, settings).collect().loss; });
      const plan = nanStopPlan(run.checkpointSteps(), step, !Number.isFinite(recheckLoss));
      let aside = '';
      if (plan.quarantine !== null) {
        aside = ` The step-${plan.quarantine} checkpoint already produced it and was set aside as ${path.basename(quarantineCheckpoint(run.checkpointDir(plan.quarantine)))}.`;
      }
      const last = plan.lastGood !== null ? `the last good checkpoint is ${run.checkpointDir(plan.lastGood)}` : 'no good checkpoint was saved yet';
      const message = `${problem} at step ${step}; training stopped before the update (${last}).${aside} Try a lower learning_rate or beta.`;
      emit({ type: 'alert', code: 'nan', step, message, time: now() });
      return finish('failed', step - 1, message);
    }
    const gradNorm = update!.gradNorm;
    prevInput = input;
    const seconds = (now() - stepStart) / 1000;

    const row: MetricsRow = {
      step,
      ...metrics,
      loss: lossValue,
      grad_norm: gradNorm,
      learning_rate: lr,
      tokens_per_second: result!.tokens / Math.max(seconds, 1e-6),
      epoch: (step * cfg.per_device_train_batch_size) / split.train.length,
    };
    if (step % cfg.logging_steps === 0 || step === cfg.max_steps) emit({ type: 'metrics', split: 'train', row, time: now() });
    for (const a of [...stability.alerts, ...health.observe(step, metrics['loss/align'], metrics['rewards/chosen'])]) {
      emit({ type: 'alert', code: a.code, step, message: a.message, time: now() });
    }
    const perStep = (now() - t0) / 1000 / (step - startStep);
    progress('align', step, cfg.max_steps, step - startStep > 1 ? perStep * (cfg.max_steps - step) : null);
    if (cfg.eval_steps > 0 && step % cfg.eval_steps === 0 && split.eval.length > 0) lastEval = (await evaluate(step)) ?? lastEval;
    if (cfg.save_steps > 0 && step % cfg.save_steps === 0) lastSaved = (saveNow(step), step);
  }

  // ---- end of training: final eval, checkpoint, degrees ------------------------------------------------------
  const final = cfg.max_steps;
  if (split.eval.length > 0 && (lastEval === undefined || lastEval.step !== final)) lastEval = (await evaluate(final)) ?? lastEval;
  if (lastSaved !== final) saveNow(final);
  // Every step is done and saved: without the degrees pass there is nothing left that a stop could skip.
  if (!cfg.write_degrees) return finish('completed', final);
  if (stopRequested()) return finish('stopped', final, 'stopped on request');
  const degreeStart = now();
  const records = await computeDegrees(tf, policy, spoOn ? heads : null, {
    pairs, encoded, keys, evalSet, refLogps: needsRef ? refFor : null, loss, beta: cfg.beta,
    pooling: cfg.spo_pooling, padId, batchSize: cfg.per_device_train_batch_size,
  }, (done, total) => progress('degrees', done, total, done > 0 ? ((now() - degreeStart) / 1000 / done) * (total - done) : null), stopRequested);
  // The final checkpoint is saved already; a stop here only skips degrees.jsonl.
  if (!records) return finish('stopped', final, 'stopped on request before the per-example degrees were written');
  const writeDegrees = (name: string, rows: typeof records): void => {
    run.writeFile(name, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    log('info', `wrote ${rows.length} per-example degrees to ${run.path(name)}`);
  };
  // Records follow `pairs`: the data file's pairs first, then eval_data's.
  writeDegrees(RUN_FILES.degrees, records.slice(0, dataPairs.length));
  if (evalPairs.length > 0) writeDegrees(RUN_FILES.evalDegrees, records.slice(dataPairs.length));
  return finish('completed', final);
}
