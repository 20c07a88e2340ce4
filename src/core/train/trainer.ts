// The SPO training run, top to bottom (nanoGPT style): setupRun makes (or, on resume, reads back) the data,
// models, heads, optimizer and state; then the loop: batch, L_align + γ·CE, AdamW with warmup + cosine, log,
// eval, checkpoint; finally per-example degrees (unless write_degrees is false).
import * as path from 'path';
import type { MetricsRow, TrainerEvent, TrainerPhase } from '../protocol/trainer';
import { ConfigError, TrainConfig, tfjsEngineProblem } from './config';
import { buildInput, nextBatch } from './batch';
import { evaluate } from './evaluate';
import { learningRateAt } from './optim';
import { StepInput, stepLoss } from './step';
import { RUN_FILES, RunFolder } from './runFolder';
import { quarantineCheckpoint, saveCheckpoint } from './checkpoint';
import { nanStopPlan } from './finiteGuard';
import { disposeSpoHeads } from './spoHeads';
import { computeDegrees } from './degrees';
import { RunIO, RunSetup, setupRun } from './runSetup';

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

const now = () => Date.now();
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

/** Events go to metrics.jsonl first, then to the hooks. */
function runIO(run: RunFolder, options: TrainOptions): RunIO {
  const hooks = options.hooks ?? {};
  const emit = (event: TrainerEvent): void => {
    run.record(event);
    hooks.onEvent?.(event);
  };
  return {
    emit,
    log: (level, message) => emit({ type: 'log', level, message, time: now() }),
    progress: (phase: TrainerPhase, step, totalSteps, etaSeconds) => emit({ type: 'progress', phase, step, totalSteps, etaSeconds, time: now() }),
    shouldStop: () => hooks.shouldStop?.() ?? false,
    wasmDir: options.wasmDir,
  };
}

/**
 * Why the run stops before the update of `step`: the problem, where the last good checkpoint is, and
 * whether the weights of step − 1 already fail on the previous batch (then the newest checkpoint, which
 * holds them, is set aside).
 */
function nanStopMessage(s: RunSetup, run: RunFolder, step: number, problem: string, recheck: StepInput): string {
  let recheckLoss = NaN;
  s.tf.tidy(() => { recheckLoss = stepLoss(s.tf, s.policy, s.heads, recheck, s.settings).collect().loss; });
  const plan = nanStopPlan(run.checkpointSteps(), step, !Number.isFinite(recheckLoss));
  const aside = plan.quarantine === null ? ''
    : ` The step-${plan.quarantine} checkpoint already produced it and was set aside as ${path.basename(quarantineCheckpoint(run.checkpointDir(plan.quarantine)))}.`;
  const last = plan.lastGood !== null ? `the last good checkpoint is ${run.checkpointDir(plan.lastGood)}` : 'no good checkpoint was saved yet';
  return `${problem} at step ${step}; training stopped before the update (${last}).${aside} Try a lower learning_rate or beta.`;
}

async function trainInFolder(run: RunFolder, options: TrainOptions): Promise<TrainResult> {
  const cfg = options.config;
  const io = runIO(run, options);
  const s = await setupRun(run, cfg, options.resume ?? false, io);
  const { tf, policy, heads, split } = s;
  const evalRun = { policy, heads, settings: s.settings, batchSize: cfg.per_device_train_batch_size, shouldStop: io.shouldStop };
  let lastEval: MetricsRow | undefined;
  const evalAt = async (step: number): Promise<void> => {
    const row = await evaluate(tf, evalRun, s.batches, split.eval, step);
    if (row) io.emit({ type: 'metrics', split: 'eval', row, time: now() });
    lastEval = row ?? lastEval;
  };
  let state = s.state;
  let lastSaved = s.resumedFrom ? state.step : -1;
  const saveAt = (step: number): void => {
    const dir = run.checkpointDir(step);
    state = { ...state, step, optimizerStep: s.optimizer.step, dataRng: s.dataRng.getState(), health: s.health.getState() };
    saveCheckpoint(dir, policy, s.tokenizer, heads, s.optimizer, state);
    io.emit({ type: 'checkpoint', step, path: dir, time: now() });
    lastSaved = step;
  };
  const finish = (reason: TrainResult['reason'], step: number, message?: string): TrainResult => {
    io.emit(message === undefined ? { type: 'done', reason, step, time: now() } : { type: 'done', reason, step, message, time: now() });
    s.optimizer.dispose();
    if (heads) disposeSpoHeads(heads);
    s.reference?.dispose();
    policy.dispose();
    return { reason, step, message, runDir: run.dir, lastEval };
  };

  // ---- the loop -------------------------------------------------------------------------------------------
  const startStep = state.step;
  let prevInput: StepInput | null = null;
  const t0 = now();
  for (let step = startStep + 1; step <= cfg.max_steps; step++) {
    await yieldToEventLoop(); // lets IPC 'stop' messages and signals arrive between steps
    if (io.shouldStop()) {
      if (lastSaved !== step - 1) saveAt(step - 1);
      return finish('stopped', step - 1, 'stopped on request');
    }
    const batch = nextBatch(state, cfg.per_device_train_batch_size, split.train, s.dataRng);
    state = batch.state;
    const stepStart = now();
    const input = buildInput(s.batches, batch.idx, step);
    let result: ReturnType<typeof stepLoss> | null = null;
    const { value, grads } = tf.variableGrads(() => (result = stepLoss(tf, policy, heads, input, s.settings)).loss, [...s.params.values()]);
    const metrics = result!.collect();
    value.dispose();
    const loss = options.hooks?.inspectLoss ? options.hooks.inspectLoss(step, metrics.loss) : metrics.loss;
    const lr = learningRateAt(step, s.schedule);
    // Finite checks come before the update: NaN never reaches the weights, the moments or a checkpoint.
    const update = Number.isFinite(loss) ? s.optimizer.applyIfFinite(s.params, new Map(Object.entries(grads)), lr) : null;
    tf.dispose(Object.values(grads));
    const stability = s.health.observeStability(step, loss, update ? update.gradNorm : null);
    if (stability.stop || !update || !update.applied) {
      const problem = update && !update.applied ? update.problem : stability.alerts[0].message.replace(/ at step \d+$/, '');
      // The weights now are those of step k − 1: do they fail on the previous batch too (weights gone bad), or only here?
      const message = nanStopMessage(s, run, step, problem, prevInput ?? input);
      io.emit({ type: 'alert', code: 'nan', step, message, time: now() });
      return finish('failed', step - 1, message);
    }
    prevInput = input;
    const seconds = (now() - stepStart) / 1000;
    const row: MetricsRow = {
      step, ...metrics, loss, grad_norm: update.gradNorm, learning_rate: lr,
      tokens_per_second: result!.tokens / Math.max(seconds, 1e-6), epoch: (step * cfg.per_device_train_batch_size) / split.train.length,
    };
    if (step % cfg.logging_steps === 0 || step === cfg.max_steps) io.emit({ type: 'metrics', split: 'train', row, time: now() });
    for (const a of [...stability.alerts, ...s.health.observe(step, metrics['loss/align'], metrics['rewards/chosen'])]) {
      io.emit({ type: 'alert', code: a.code, step, message: a.message, time: now() });
    }
    const perStep = (now() - t0) / 1000 / (step - startStep);
    io.progress('align', step, cfg.max_steps, step - startStep > 1 ? perStep * (cfg.max_steps - step) : null);
    if (cfg.eval_steps > 0 && step % cfg.eval_steps === 0 && split.eval.length > 0) await evalAt(step);
    if (cfg.save_steps > 0 && step % cfg.save_steps === 0) saveAt(step);
  }

  // ---- end of training: final eval, checkpoint, degrees ------------------------------------------------------
  const final = cfg.max_steps;
  if (split.eval.length > 0 && lastEval?.step !== final) await evalAt(final);
  if (lastSaved !== final) saveAt(final);
  // Every step is done and saved: without the degrees pass there is nothing left that a stop could skip.
  if (!cfg.write_degrees) return finish('completed', final);
  if (io.shouldStop()) return finish('stopped', final, 'stopped on request');
  const degreeStart = now();
  const { pairs, keys, encoded, referenceLogps } = s.batches;
  const records = await computeDegrees(tf, policy, heads, {
    pairs, encoded, keys, evalSet: new Set(split.eval), refLogps: referenceLogps, loss: s.loss, beta: cfg.beta,
    pooling: cfg.spo_pooling, padId: s.settings.padId, batchSize: cfg.per_device_train_batch_size,
  }, (done, total) => io.progress('degrees', done, total, done > 0 ? ((now() - degreeStart) / 1000 / done) * (total - done) : null), io.shouldStop);
  // The final checkpoint is saved already; a stop here only skips degrees.jsonl.
  if (!records) return finish('stopped', final, 'stopped on request before the per-example degrees were written');
  const writeDegrees = (name: string, rows: typeof records): void => {
    run.writeFile(name, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    io.log('info', `wrote ${rows.length} per-example degrees to ${run.path(name)}`);
  };
  // Records follow `pairs`: the data file's pairs first, then eval_data's.
  writeDegrees(RUN_FILES.degrees, records.slice(0, s.data.dataPairs.length));
  if (s.data.evalPairs.length > 0) writeDegrees(RUN_FILES.evalDegrees, records.slice(s.data.dataPairs.length));
  return finish('completed', final);
}
