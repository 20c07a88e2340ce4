// The trainer process's body, shared by dist/trainer.js (forked by the extension) and `spo train`:
// flags → config, IPC events out and the stop command in, SIGTERM/SIGINT → graceful stop, progress on stderr.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { TrainerCommand, TrainerEvent } from '../core/protocol/trainer';
import { ConfigError, TrainConfig, readConfigFile, resolveConfig, parseFlagValue, CONFIG_KEYS } from '../core/train/config';
import { RUN_FILES, describeEvent } from '../core/train/runFolder';
import { train, TrainResult } from '../core/train/trainer';
import { assertResolvesInside, hasControlCharacters, isInside, UnsafePathError } from '../core/fs/safeFiles';
import { runOwnership } from '../core/runs/runOwnership';

export const TRAIN_USAGE = `usage: spo train --data FILE [options]

Trains a causal LM on preference pairs with an alignment loss plus the SPO preference-degree loss.
With no --model, the tiny preset trains a byte-level BPE tokenizer, a small GPT-2 and an SFT
reference on the data itself (minutes on a CPU).

  --data FILE          preference file (TRL, HH, TL;DR, UltraFeedback; .jsonl/.json, .gz)
  --config FILE.json   config file (nested or dotted keys, e.g. {"spo": {"gamma": 0.1}})
  --preset tiny        the embedded default model (used when --model is absent)
  --model DIR          start from an HF folder (config.json + model.safetensors + tokenizer.json),
                       GPT-2 or Llama layout; its tokenizer is used as is and there is no SFT phase
  --eval-data FILE     held-out preference file (config key eval_data): evaluated instead of a random
                       eval_fraction split of --data, recorded in split.json
  --loss NAME          sigmoid | ipo | hinge | simpo | orpo            (default sigmoid)
  --gamma G            SPO loss weight γ (0 = plain alignment loss)     (default 0.1)
  --classes K          SPO classes                                      (default 4)
  --beta B             β                                                (default 0.1)
  --lr LR              peak learning rate (default: 1e-3 tiny preset, 5e-6 with --model)
  --batch-size N       pairs per step                                   (default 8)
  --max-steps N        optimizer steps                                  (default 200)
  --seed S             seed of every random draw                        (default 42)
  --out DIR            run folder (default .spo/runs/<time>)
  --resume             continue the run in --out from its last checkpoint
  --trust-run          with --resume: continue a run folder that is not this machine's own
                       (another host started it, or another user owns it; e.g. shipped in a repository)
  --backend B          auto | tfjs-node-gpu | tfjs-node | wasm | cpu    (default auto)
  --set KEY=VALUE      any other config key (repeatable), e.g. --set eval_every=25,
                       --set write_degrees=false (skip the per-example degrees pass at the end)

The run folder gets config.json, metrics.jsonl (every event), log.txt, split.json, tokenizer.json,
reference/, checkpoints/step-N/ and degrees.jsonl (see 'spo degrees'; unless write_degrees is false;
with --eval-data the held-out pairs' degrees go to eval_degrees.jsonl).`;

const FLAG_TO_KEY: Record<string, keyof TrainConfig> = {
  data: 'data', 'eval-data': 'eval_data', preset: 'preset', model: 'model', loss: 'loss', gamma: 'spo.gamma', classes: 'spo.classes',
  beta: 'beta', lr: 'learning_rate', 'batch-size': 'batch_size', 'max-steps': 'max_steps', seed: 'seed', out: 'out', backend: 'backend',
};

export interface ParsedTrainArgs {
  config: TrainConfig;
  runDir: string;
  resume: boolean;
}

/** Parse `spo train` flags. Throws ConfigError (bad values, naming the key) or a parseArgs error. */
export function parseTrainArgs(argv: string[], cwd = process.cwd()): ParsedTrainArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' }, 'eval-data': { type: 'string' }, config: { type: 'string' }, preset: { type: 'string' }, model: { type: 'string' },
      loss: { type: 'string' }, gamma: { type: 'string' }, classes: { type: 'string' }, beta: { type: 'string' },
      lr: { type: 'string' }, 'batch-size': { type: 'string' }, 'max-steps': { type: 'string' }, seed: { type: 'string' },
      out: { type: 'string' }, resume: { type: 'boolean' }, 'trust-run': { type: 'boolean' }, backend: { type: 'string' }, set: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const flags: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FLAG_TO_KEY)) {
    const raw = (values as Record<string, unknown>)[flag];
    if (typeof raw === 'string') flags[key] = parseFlagValue(key, raw);
  }
  for (const assignment of values.set ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects KEY=VALUE, got "${assignment}"`);
    const key = assignment.slice(0, eq);
    if (!CONFIG_KEYS.includes(key as keyof TrainConfig)) throw new ConfigError(`unknown config key "${key}" in --set`);
    flags[key] = parseFlagValue(key, assignment.slice(eq + 1));
  }
  const resume = values.resume === true;
  const layers: Array<{ values: Record<string, unknown>; where?: string }> = [];
  if (resume) {
    if (typeof flags.out !== 'string') throw new ConfigError('--resume needs --out DIR (the run folder to continue)');
    const saved = path.join(path.resolve(cwd, flags.out), RUN_FILES.config);
    if (!fs.existsSync(saved)) throw new ConfigError(`${saved}: no config.json, so nothing to resume`);
    layers.push({ values: readConfigFile(saved), where: saved });
  }
  if (values.config) layers.push({ values: readConfigFile(path.resolve(cwd, values.config)), where: values.config });
  layers.push({ values: flags, where: 'command line' });
  const config = resolveConfig(layers);
  if (!config.data) throw new ConfigError('missing --data FILE (the preference file to train on)');
  config.data = path.resolve(cwd, config.data);
  if (config.model) config.model = path.resolve(cwd, config.model);
  if (config.eval_data) config.eval_data = path.resolve(cwd, config.eval_data);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const runDir = path.resolve(cwd, config.out ?? path.join('.spo', 'runs', stamp));
  checkRunFolder(runDir, cwd, resume, values['trust-run'] === true);
  config.out = runDir;
  return { config, runDir, resume };
}

/**
 * A run folder this command may write into: its name has no control characters (they end up in log
 * lines and shells), a relative --out stays inside the working folder once links are resolved, and a
 * resumed folder that is not this machine's own needs --trust-run.
 */
function checkRunFolder(runDir: string, cwd: string, resume: boolean, trusted: boolean): void {
  if (hasControlCharacters(runDir)) {
    throw new ConfigError(`run folder ${JSON.stringify(runDir)} has control characters in its name: refusing it (rename the folder)`);
  }
  try {
    if (isInside(path.resolve(cwd), runDir)) assertResolvesInside(cwd, runDir, 'run folder');
  } catch (err) {
    if (err instanceof UnsafePathError) throw new ConfigError(err.message);
    throw err;
  }
  if (resume && !trusted && fs.existsSync(runDir)) {
    const owner = runOwnership(runDir);
    if (!owner.own) {
      throw new ConfigError(`${owner.realPath} is not this machine's own run (${owner.reasons.join('; ')}). Check it, then continue it with --trust-run.`);
    }
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A progress bar with ETA on a TTY; plain lines otherwise. */
function makeConsoleReporter(stderr: NodeJS.WritableStream & { isTTY?: boolean }): (e: TrainerEvent) => void {
  const tty = stderr.isTTY === true;
  let barShown = false;
  let lastLoss = '';
  return (e) => {
    if (e.type === 'metrics' && e.row.loss !== undefined) lastLoss = ` loss ${e.row.loss.toFixed(4)}`;
    if (tty && e.type === 'progress') {
      const width = 24;
      const frac = e.totalSteps > 0 ? Math.min(1, e.step / e.totalSteps) : 0;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
      const eta = e.etaSeconds === null ? '' : ` ETA ${formatSeconds(e.etaSeconds)}`;
      stderr.write(`\r[${bar}] ${e.phase} ${e.step}/${e.totalSteps}${eta}${e.phase === 'align' ? lastLoss : ''}\x1b[K`);
      barShown = true;
      return;
    }
    if (e.type === 'progress' || (tty && e.type === 'metrics' && !Object.keys(e.row).some((k) => k.startsWith('eval/')))) return;
    const line = describeEvent(e);
    if (!line) return;
    stderr.write(`${barShown ? '\r\x1b[K' : ''}${line}\n`);
  };
}

/** How long an orphaned trainer may take to save its checkpoint before it exits anyway. */
const ORPHAN_EXIT_MS = 60_000;

export interface RunTrainerIO {
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where the wasm files are (bundle folder), when not in node_modules. */
  wasmDir?: string;
}

/**
 * Run a training from CLI-style flags. When this process has an IPC channel (forked), every event
 * is also sent to the parent and `{type:'stop'}` asks for a graceful stop. SIGTERM and SIGINT do the
 * same. Returns the exit code (0 completed/stopped, 1 failed, 2 bad arguments).
 */
export async function runTrainer(argv: string[], io: RunTrainerIO): Promise<number> {
  let parsed: ParsedTrainArgs;
  try {
    parsed = parseTrainArgs(argv);
  } catch (err) {
    io.stderr.write(`spo train: ${(err as Error).message}\n`);
    return 2;
  }
  let stop = false;
  const requestStop = () => { stop = true; };
  const onMessage = (msg: unknown) => {
    if ((msg as TrainerCommand | null)?.type === 'stop') requestStop();
  };
  let pendingSends = 0;
  let drained: (() => void) | null = null;
  const send = (e: TrainerEvent) => {
    if (!process.send || !process.connected) return;
    pendingSends++;
    process.send(e, undefined, {}, () => {
      pendingSends--;
      if (pendingSends === 0 && drained) drained();
    });
  };
  // The owner went away (its window closed, it was killed): save a checkpoint and stop, as a stop message
  // would, instead of training on as an orphan of PID 1. The timer is the backstop for a save that hangs.
  const onDisconnect = () => {
    requestStop();
    setTimeout(() => process.exit(1), ORPHAN_EXIT_MS).unref();
  };
  process.on('message', onMessage);
  if (process.send) {
    process.on('disconnect', onDisconnect);
    // When the owner dies its end of the stderr pipe goes too (often before 'disconnect' arrives):
    // a failed progress line must not kill the trainer before it saves its checkpoint.
    io.stderr.on('error', () => {});
  }
  process.on('SIGTERM', requestStop);
  process.on('SIGINT', requestStop);
  const report = makeConsoleReporter(io.stderr);
  let result: TrainResult | null = null;
  let failure: Error | null = null;
  let doneSent = false;
  try {
    result = await train({
      config: parsed.config, runDir: parsed.runDir, resume: parsed.resume, wasmDir: io.wasmDir,
      hooks: { onEvent: (e) => { doneSent ||= e.type === 'done'; send(e); report(e); }, shouldStop: () => stop },
    });
  } catch (err) {
    failure = err as Error;
    // train() records done(failed) itself once it owns the run folder; the parent must always get one.
    if (!doneSent) send({ type: 'done', reason: 'failed', step: 0, message: failure.message, time: Date.now() });
    io.stderr.write(`spo train: ${failure.message}\n`);
  } finally {
    process.off('message', onMessage);
    process.off('disconnect', onDisconnect);
    process.off('SIGTERM', requestStop);
    process.off('SIGINT', requestStop);
  }
  // Let the last IPC messages reach the parent before the caller exits.
  if (pendingSends > 0) await new Promise<void>((resolve) => { drained = resolve; setTimeout(resolve, 5000); });
  if (failure) return 1;
  if (result && result.reason === 'failed') return 1;
  if (result) io.stderr.write(`run folder: ${result.runDir}\n`);
  return 0;
}
