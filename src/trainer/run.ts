// The trainer process's body, shared by dist/trainer.js (forked by the extension) and `spo train`:
// flags → config, IPC events out and the stop command in, SIGTERM/SIGINT → graceful stop, progress on stderr.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { TrainerCommand, TrainerEvent } from '../core/protocol/trainer';
import { ConfigError, ConfigLayer, TrainConfig, TRAIN_SPEC, readConfigFile, resolveConfig } from '../core/train/config';
import { flagOptions, flagValues, groupedOptionLines, setValues } from '../core/train/cliFlags';
import { RUN_FILES, describeEvent, runTimestamp } from '../core/train/runFolder';
import { train, TrainResult } from '../core/train/trainer';
import { assertResolvesInside, hasControlCharacters, isInside, UnsafePathError } from '../core/fs/safeFiles';
import { runOwnership } from '../core/runs/runOwnership';

export const TRAIN_USAGE = `usage: spo train --data FILE [options]

Trains a causal LM on preference pairs with an alignment loss plus the SPO preference-degree loss.
With no --model, the tiny preset trains a byte-level BPE tokenizer, a small GPT-2 and an SFT
reference on the data itself (minutes on a CPU). Every option is a config key (its name with - for _;
spo schema config prints them all as a JSON Schema).

  --config FILE.json   config file of config keys (flat, e.g. {"spo_gamma": 0.1}); flags override it
  --resume             continue the run in --output-dir from its last checkpoint
  --trust-run          with --resume: continue a run folder that is not this machine's own
                       (another host started it, or another user owns it; e.g. shipped in a repository)
  --set KEY=VALUE      any config key (repeatable), e.g. --set eval_steps=25

${groupedOptionLines()}

The run folder gets config.json, metrics.jsonl (every event), log.txt, split.json, tokenizer.json,
reference/, checkpoints/step-N/ and degrees.jsonl (see 'spo degrees'; unless write_degrees is false;
with --eval-data the held-out pairs' degrees go to eval_degrees.jsonl).`;

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
      ...flagOptions(TRAIN_SPEC),
      config: { type: 'string' }, resume: { type: 'boolean' }, 'trust-run': { type: 'boolean' }, set: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const flags: Record<string, unknown> = { ...flagValues(TRAIN_SPEC, values), ...setValues(values.set ?? []) };
  const resume = values.resume === true;
  const layers: ConfigLayer[] = [];
  if (resume) {
    if (typeof flags.output_dir !== 'string') throw new ConfigError('--resume needs --output-dir DIR (the run folder to continue)');
    const saved = path.join(path.resolve(cwd, flags.output_dir), RUN_FILES.config);
    if (!fs.existsSync(saved)) throw new ConfigError(`${saved}: no config.json, so nothing to resume`);
    layers.push({ values: readConfigFile(saved), where: saved });
  }
  if (typeof values.config === 'string') layers.push({ values: readConfigFile(path.resolve(cwd, values.config)), where: values.config });
  layers.push({ values: flags, where: 'command line' });
  const config = resolveConfig(layers);
  if (!config.data) throw new ConfigError('missing --data FILE (the preference file to train on)');
  config.data = path.resolve(cwd, config.data);
  if (config.model) config.model = path.resolve(cwd, config.model);
  if (config.eval_data) config.eval_data = path.resolve(cwd, config.eval_data);
  const runDir = path.resolve(cwd, config.output_dir ?? path.join('.spo', 'runs', runTimestamp(new Date())));
  checkRunFolder(runDir, cwd, resume, values['trust-run'] === true);
  config.output_dir = runDir;
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
    if (e.type === 'progress' || (tty && e.type === 'metrics' && e.split === 'train')) return;
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
  // Forked with IPC, the parent gets every event typed; stderr then carries only what is not an event.
  const forked = typeof process.send === 'function';
  let result: TrainResult | null = null;
  let failure: Error | null = null;
  let doneSent = false;
  try {
    result = await train({
      config: parsed.config, runDir: parsed.runDir, resume: parsed.resume, wasmDir: io.wasmDir,
      hooks: { onEvent: (e) => { doneSent ||= e.type === 'done'; send(e); if (!forked) report(e); }, shouldStop: () => stop },
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
