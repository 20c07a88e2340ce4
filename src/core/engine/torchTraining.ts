// `spo train --engine torch`: check the Python, write config.json and pairs.jsonl into the run folder,
// launch the engine (one process, torchrun or accelerate) and relay its events. The Python side writes
// metrics.jsonl and log.txt itself (rank 0); this side records only what the engine could not: a
// done(failed) when the process died without one.
import * as fs from 'fs';
import type { TrainerEvent } from '../protocol/trainer';
import { RUN_FILES, RunFolder } from '../train/runFolder';
import { PairsSettings, writePreparedPairs } from './preparedPairs';
import { PythonChoice, describePythonSource } from './pythonLocation';
import { probePython, PythonProbe } from './pythonProbe';
import { torchReport } from './doctor';
import { torchLaunchCommand } from './torchLaunch';
import { startTorchChild, TorchExit } from './torchProcess';

/** The engine cannot start: one line naming the fix (printed as is by the CLI and VS Code). */
export class EngineUnavailable extends Error {}

export interface TorchTrainRequest {
  /** The resolved config in the contract's key names; written as RUN/config.json for a new run. */
  config: Record<string, unknown>;
  /** What the pairs writer needs (data, split and key-content keys). */
  pairs: PairsSettings;
  runDir: string;
  resume: boolean;
  python: PythonChoice;
  numProcesses: number;
  accelerateConfig: string | null;
}

export interface TorchTrainHooks {
  onEvent(event: TrainerEvent): void;
  /** The engine's stderr lines (its human log, library warnings, tracebacks). */
  onOutput?(line: string): void;
  /** Called once with the function that asks the engine to stop (SIGTERM → checkpoint → exit). */
  onStopAvailable?(stop: () => void): void;
  /** A probe already made (the engine chooser's), so the Python is not asked twice. */
  probe?: PythonProbe;
}

export interface TorchTrainResult {
  reason: 'completed' | 'stopped' | 'failed';
  step: number;
  message?: string;
  runDir: string;
}

const now = () => Date.now();

/** Refuse early, with the fix, when the Python cannot run the engine. */
export function assertTorchReady(python: PythonChoice, probe: PythonProbe): void {
  const report = torchReport(python, probe);
  if (report.ready) return;
  const first = report.problems[0];
  throw new EngineUnavailable(`the torch engine is not ready in ${probe.executable ?? python.command} (${describePythonSource(python.source)}): ${first.what}; install: ${first.install} (spo doctor lists everything)`);
}

export async function trainWithTorch(req: TorchTrainRequest, hooks: TorchTrainHooks): Promise<TorchTrainResult> {
  const run = new RunFolder(req.runDir);
  if (!req.resume && run.exists(RUN_FILES.metrics)) {
    throw new Error(`${run.dir} already holds a run (metrics.jsonl exists): continue it with --resume, or choose another --out`);
  }
  if (!req.config.model) throw new EngineUnavailable('the torch engine trains a Hugging Face model: pass --model DIR (the tiny preset is TF.js only; use --engine tfjs)');
  if (req.resume && run.checkpointSteps().length === 0) throw new Error(`${run.dir}: no checkpoint to resume from`);
  const probe = hooks.probe ?? (await probePython(req.python.command));
  assertTorchReady(req.python, probe);

  const log = (level: 'info' | 'warn', message: string) => hooks.onEvent({ type: 'log', level, message, time: now() });
  fs.mkdirSync(run.dir, { recursive: true });
  const prepared = await writePreparedPairs(run.dir, req.pairs, { resume: req.resume, log });
  // A resume rewrites it too: the saved config plus what the resume may change (max_steps).
  run.writeJson(RUN_FILES.config, req.config);
  log('info', `prepared ${prepared.pairs} pairs (${prepared.train} train, ${prepared.eval} held out) in ${prepared.file}`);

  const launch = torchLaunchCommand({
    python: probe.executable ?? req.python.command, runDir: run.dir, resume: req.resume,
    numProcesses: req.numProcesses, accelerateConfig: req.accelerateConfig, gpus: probe.gpus.length,
  });
  log('info', `torch engine: ${launch.description} (${[launch.command, ...launch.args].join(' ')})`);
  const child = startTorchChild(launch, { onEvent: hooks.onEvent, onOutput: hooks.onOutput }, run.dir);
  hooks.onStopAvailable?.(() => child.stop());
  const exit = await child.exited;
  return finish(run, exit, hooks);
}

/** The run's outcome from the engine's done event, or a done(failed) written for a process that died. */
function finish(run: RunFolder, exit: TorchExit, hooks: TorchTrainHooks): TorchTrainResult {
  if (exit.done) return { reason: exit.done.reason, step: exit.done.step, message: exit.done.message, runDir: run.dir };
  const lastLine = exit.stderrTail.filter((l) => l.trim()).pop();
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const message = `the torch engine ${how} before it finished${lastLine ? ` (last output: ${lastLine.slice(0, 300)})` : ''}; resume continues from the last checkpoint`;
  const step = run.checkpointSteps().pop() ?? 0;
  const event: TrainerEvent = { type: 'done', reason: 'failed', step, message, time: now() };
  run.record(event);
  hooks.onEvent(event);
  return { reason: 'failed', step, message, runDir: run.dir };
}
