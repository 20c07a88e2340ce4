// `spo experiment spo-vs-dpo`, programmatically: split the data once, train DPO and DPO+SPO (or a
// sweep of SPO settings) with the same budget and seeds, evaluate every run on the same held-out
// pairs, and write results.json, summary.md and the plots.
import * as fs from 'fs';
import * as path from 'path';
import { loadPreferenceFile } from '../data/fileReader';
import { toTrlRecord } from '../data/toTrl';
import type { PreferencePair } from '../data/types';
import type { ExperimentProgressEvent } from '../protocol/experiment';
import type { TrainerEvent } from '../protocol/trainer';
import { createExtractor } from '../keys';
import { dataDegree } from '../keys/degree';
import { DEFAULT_CONFIG, effectiveLearningRate, resolveConfig } from '../train/config';
import { BASELINE_ARM, compareWithBaseline, summariseArms } from './analysis';
import { forkArmJob } from './armProcess';
import { runTorchArm } from './torchArm';
import { promptsFit } from './promptFit';
import { resolveEngine } from '../engine/engineChoice';
import { choosePython } from '../engine/pythonLocation';
import type { ArmOutcome } from '../protocol/armJob';
import { keyCoverage } from './coverage';
import { describeEnvironment } from './environment';
import { splitPairs } from './split';
import { writeReport } from './report';
import { EXPERIMENT_FILES } from '../runs/experimentResults';
import { ArmSpec, ExperimentBudget, ExperimentResults, RunRecord, SweepKey } from './types';

export interface ExperimentOptions {
  dataFile: string;
  /** Where results.json, summary.md and the plots go. */
  outDir: string;
  /** Run folders and the split data files; default `<outDir>/runs`. */
  runsDir?: string;
  seeds: number[];
  heldOutFraction: number;
  splitSeed: number;
  /** Use only the first N pairs of the file (0 = all). */
  maxPairs: number;
  /** HF model folder to start every arm from; null = the tiny preset (one SFT reference per seed). */
  model: string | null;
  /** The DPO+SPO arm's γ and K (the swept knob overrides its own). */
  gamma: number;
  classes: number;
  sweep: { key: SweepKey; values: number[] } | null;
  /** Trainer config keys shared by every run: the budget (max_steps, per_device_train_batch_size, learning_rate, ...). */
  trainer: Record<string, unknown>;
  /** Keep checkpoints and reference models of every run (large); default: delete them after evaluation. */
  keepRuns: boolean;
  /** The command line, recorded in results.json. */
  command: string;
  log?: (line: string) => void;
  /** Machine-readable progress (the CLI's --progress-json): every stage start and end, every alignment step. */
  progress?: (event: ExperimentProgressEvent) => void;
  wasmDir?: string;
}

/** DPO first, then the SPO arm(s): one for the main comparison, one per value in a sweep. */
export function experimentArms(gamma: number, classes: number, sweep: ExperimentOptions['sweep']): ArmSpec[] {
  const arms: ArmSpec[] = [{ name: BASELINE_ARM, gamma: 0, classes, sweepValue: null }];
  if (!sweep) return [...arms, { name: 'dpo+spo', gamma, classes, sweepValue: null }];
  for (const v of sweep.values) {
    arms.push(sweep.key === 'gamma'
      ? { name: `dpo+spo γ=${v}`, gamma: v, classes, sweepValue: v }
      : { name: `dpo+spo K=${v}`, gamma, classes: v, sweepValue: v });
  }
  return arms;
}

/** A folder name for an arm: `dpo`, `dpo-spo`, `dpo-spo-gamma-0.5`, `dpo-spo-classes-6`. */
export function armFolder(arm: ArmSpec, sweepKey: SweepKey | null): string {
  if (arm.name === BASELINE_ARM) return 'dpo';
  return arm.sweepValue === null || !sweepKey ? 'dpo-spo' : `dpo-spo-${sweepKey}-${arm.sweepValue}`;
}

function writeJsonl(file: string, pairs: readonly PreferencePair[]): void {
  fs.writeFileSync(file, pairs.map((p) => JSON.stringify(toTrlRecord(p))).join('\n') + '\n');
}

/** Progress lines: the start, every quarter of the alignment phase, and warnings. */
function eventLogger(prefix: string, log: (line: string) => void): (e: TrainerEvent) => void {
  let lastQuarter = -1;
  return (e) => {
    if (e.type === 'progress' && e.phase === 'align' && e.totalSteps > 0) {
      const quarter = Math.floor((4 * e.step) / e.totalSteps);
      if (quarter > lastQuarter && quarter > 0) {
        lastQuarter = quarter;
        log(`${prefix} step ${e.step}/${e.totalSteps}${e.etaSeconds !== null ? `, ~${Math.round(e.etaSeconds)} s left` : ''}`);
      }
    } else if (e.type === 'log' && e.level !== 'info') log(`${prefix} ${e.level}: ${e.message}`);
    else if (e.type === 'alert') log(`${prefix} alert ${e.code}: ${e.message}`);
  };
}

/** Progress events of one stage's alignment steps, one per new step. */
function stepReporter(emit: (step: number, steps: number) => void): (e: TrainerEvent) => void {
  let lastStep = -1;
  return (e) => {
    if (e.type === 'progress' && e.phase === 'align' && e.totalSteps > 0 && e.step !== lastStep) {
      lastStep = e.step;
      emit(e.step, e.totalSteps);
    }
  };
}

/** Both listeners on one trainer event stream. */
function both(a: (e: TrainerEvent) => void, b: (e: TrainerEvent) => void): (e: TrainerEvent) => void {
  return (e) => {
    a(e);
    b(e);
  };
}

export async function runExperiment(o: ExperimentOptions): Promise<ExperimentResults> {
  const t0 = Date.now();
  const log = o.log ?? (() => undefined);
  const progress = o.progress ?? (() => undefined);
  if (o.seeds.length === 0) throw new Error('an experiment needs at least one seed');
  const runsDir = o.runsDir ?? path.join(o.outDir, 'runs');
  fs.mkdirSync(o.outDir, { recursive: true });
  fs.mkdirSync(path.join(runsDir, 'data'), { recursive: true });

  // Validate the shared trainer settings once, before any long work.
  const base = resolveConfig([{ values: { ...o.trainer, data: o.dataFile, model: o.model }, where: 'experiment settings' }]);
  const learningRate = effectiveLearningRate(base);
  const budget: ExperimentBudget = {
    steps: base.max_steps,
    batchSize: base.per_device_train_batch_size,
    learningRate,
    sftSteps: o.model ? 0 : base.tiny_sft_steps,
    maxLength: base.max_length,
    trainerOverrides: { ...o.trainer },
  };

  // The engine every arm trains on (`engine`: tfjs | torch | auto, as for spo train).
  const python = choosePython({ flag: base.python });
  const engine = await resolveEngine(base.engine, { model: o.model, python });
  if (engine.why) log(engine.why);
  const torch = engine.engine === 'torch';
  if (torch && !o.model) throw new Error('the torch engine trains a Hugging Face model: pass --model DIR (the tiny preset is TF.js only)');

  const loaded = await loadPreferenceFile(o.dataFile);
  const firstPairs = o.maxPairs > 0 ? loaded.pairs.slice(0, o.maxPairs) : loaded.pairs;
  let pairs = firstPairs;
  let promptTooLong: number[] = [];
  if (torch) {
    const fits = promptsFit(firstPairs, o.model!, base.max_length);
    pairs = firstPairs.filter((_, i) => fits[i]);
    const dropped = (promptTooLong = firstPairs.filter((_, i) => !fits[i]).map((p) => p.line));
    if (dropped.length) log(`left out ${dropped.length} pairs whose prompt alone fills max_length ${base.max_length} (TRL drops them: nothing of the response would be trained or scored); source lines ${dropped.join(', ')}`);
  }
  const split = splitPairs(pairs, o.heldOutFraction, o.splitSeed);
  const trainFile = path.join(runsDir, 'data', 'train.jsonl');
  const heldOutFile = path.join(runsDir, 'data', 'held-out.jsonl');
  writeJsonl(trainFile, split.train.map((i) => pairs[i]));
  writeJsonl(heldOutFile, split.heldOut.map((i) => pairs[i]));
  log(`${o.dataFile}: ${pairs.length} pairs (${loaded.issues.length} bad records skipped); split seed ${o.splitSeed}: ${split.train.length} train, ${split.heldOut.length} held out`);

  const arms = experimentArms(o.gamma, o.classes, o.sweep);
  const classesList = [...new Set([2, 3, 4, 6, ...arms.filter((a) => a.gamma > 0).map((a) => a.classes)])].sort((a, b) => a - b);
  const extractor = createExtractor(base.extractor);
  const coverage = keyCoverage(split.train.map((i) => pairs[i]), extractor, base.max_keys, classesList);

  // Every run shares these; the per-run keys below set what differs (seed, SPO knobs).
  const shared: Record<string, unknown> = {
    ...o.trainer,
    data: trainFile,
    learning_rate: learningRate,
    eval_fraction: 0, // the experiment holds out its own pairs, the same for every run
    eval_steps: 0,
    save_steps: 0,
    // The experiment scores held-out pairs itself (heldOutEval.ts) and needs no per-example degrees
    // over the training pairs, nor their cost (minutes on a loaded CPU).
    write_degrees: false,
    engine: engine.engine,
  };
  // The torch engine scores the held-out pairs itself, as eval_data, in its end-of-run degrees; and it
  // trains on the first pairs of the train split that one pass of the budget uses, so that its
  // precomputed reference log-probs and those degrees cover only pairs the run sees.
  const trainPairsUsed = Math.min(split.train.length, budget.steps * budget.batchSize * base.gradient_accumulation_steps * base.num_processes);
  const torchShared: Record<string, unknown> = {
    ...shared,
    model: o.model,
    eval_data: heldOutFile,
    eval_max_pairs: split.heldOut.length,
    max_pairs: trainPairsUsed,
    write_degrees: true,
  };
  if (torch) log(`torch engine: every arm trains on the first ${trainPairsUsed} of the ${split.train.length} train pairs (max_steps × batch) and is scored on the ${split.heldOut.length} held-out pairs`);
  const runs: RunRecord[] = [];
  let backend = '';
  let backendNote = '';
  const runsTotal = o.seeds.length * arms.length;
  for (const [si, seed] of o.seeds.entries()) {
    const where = { seed, seedIndex: si + 1, seeds: o.seeds.length, runsTotal };
    const seedDir = path.join(runsDir, `seed-${seed}`);
    let referenceDir = o.model;
    if (!referenceDir && !torch) {
      // One tokenizer + SFT reference per seed, shared by every arm of that seed: the arms differ only in SPO.
      const prefix = `[seed ${seed} ${si + 1}/${o.seeds.length}] reference (tokenizer + ${budget.sftSteps} SFT steps)`;
      log(`${prefix}: training`);
      const stage = { ...where, arm: 'reference', stage: 'reference' as const };
      progress({ ...stage, phase: 'training', runsDone: runs.length });
      const ref = await forkArmJob({
        kind: 'reference',
        config: { ...shared, seed, spo_gamma: 0, max_steps: 1, model: null },
        runDir: path.join(seedDir, 'reference'),
        wasmDir: o.wasmDir,
      }, both(eventLogger(prefix, log), stepReporter((step, steps) => progress({ ...stage, phase: 'training', step, steps, runsDone: runs.length }))));
      referenceDir = ref.referenceDir!;
      log(`${prefix}: done in ${ref.seconds.toFixed(0)} s`);
      progress({ ...stage, phase: 'done', runsDone: runs.length });
    }
    for (const arm of arms) {
      const runDir = path.join(seedDir, armFolder(arm, o.sweep?.key ?? null));
      const prefix = `[seed ${seed} ${si + 1}/${o.seeds.length}] ${arm.name}`;
      log(`${prefix}: training ${budget.steps} steps (γ ${arm.gamma}, K ${arm.classes})`);
      const stage = { ...where, arm: arm.name, stage: 'arm' as const };
      progress({ ...stage, phase: 'training', step: 0, steps: budget.steps, runsDone: runs.length });
      const onEvent = both(eventLogger(prefix, log), stepReporter((step, steps) => progress({ ...stage, phase: 'training', step, steps, runsDone: runs.length })));
      const out: ArmOutcome = torch
        ? await runTorchArm({ config: { ...torchShared, seed, spo_gamma: arm.gamma, spo_classes: arm.classes }, runDir, heldOutPairs: split.heldOut.length }, onEvent)
        : await forkArmJob({
          kind: 'arm',
          config: { ...shared, seed, spo_gamma: arm.gamma, spo_classes: arm.classes },
          runDir,
          heldOutFile,
          referenceDir: referenceDir!,
          wasmDir: o.wasmDir,
        }, onEvent);
      backend ||= out.backend;
      backendNote ||= out.backendNote;
      const held = out.heldOut!;
      runs.push({
        arm: arm.name, seed, gamma: arm.gamma, classes: arm.classes, sweepValue: arm.sweepValue,
        runDir: path.relative(o.outDir, runDir), seconds: out.seconds,
        metrics: {
          eval_reward_accuracy: held.accuracy,
          eval_mean_margin: held.meanMargin,
          eval_pairs: held.margins.length,
          final_train: out.finalTrain,
          tail_train: out.tailTrain,
          mean_spo_coverage: out.meanSpoCoverage,
        },
        heldOutMargins: held.margins.map((m) => Number(m.toPrecision(6))),
      });
      fs.appendFileSync(path.join(o.outDir, 'runs-progress.jsonl'), JSON.stringify(runs[runs.length - 1]) + '\n');
      progress({ ...stage, phase: 'done', runsDone: runs.length });
      log(`${prefix}: done in ${out.seconds.toFixed(0)} s, held-out accuracy ${held.accuracy.toFixed(3)}, mean margin ${held.meanMargin.toFixed(4)}`);
      if (!o.keepRuns) {
        fs.rmSync(path.join(runDir, 'checkpoints'), { recursive: true, force: true });
        fs.rmSync(path.join(runDir, 'reference'), { recursive: true, force: true }); // the trainer's copy of the shared reference
      }
    }
    if (!o.keepRuns && !o.model && referenceDir) {
      fs.rmSync(path.join(seedDir, 'reference', 'checkpoints'), { recursive: true, force: true });
      fs.rmSync(referenceDir, { recursive: true, force: true });
    }
  }

  const summaries = summariseArms(arms, runs);
  const results: ExperimentResults = {
    kind: 'spo-vs-dpo',
    command: o.command,
    data: { file: o.dataFile, pairs: pairs.length, issues: loaded.issues.length, format: loaded.format ?? 'unknown', ...(promptTooLong.length ? { promptTooLong } : {}) },
    split,
    seeds: o.seeds,
    budget,
    sweep: o.sweep,
    arms,
    runs,
    summaries,
    comparisons: compareWithBaseline(arms, runs),
    heldOutLengths: {
      chosen: split.heldOut.map((i) => pairs[i].chosen.text.length),
      rejected: split.heldOut.map((i) => pairs[i].rejected.text.length),
    },
    heldOutDataDegrees: split.heldOut.map((i) => {
      const p = pairs[i];
      return dataDegree(extractor.extract(p.chosen.text, base.max_keys), extractor.extract(p.rejected.text, base.max_keys), p.chosen.text, p.rejected.text).data;
    }),
    keyCoverage: coverage,
    plots: { files: [], note: null }, // filled in by writeReport below
    environment: describeEnvironment(backend, backendNote),
    totalSeconds: (Date.now() - t0) / 1000,
  };
  results.plots = await writeReport(o.outDir, results);
  fs.writeFileSync(path.join(o.outDir, EXPERIMENT_FILES.results), JSON.stringify(results, null, 2) + '\n');
  fs.rmSync(path.join(o.outDir, 'runs-progress.jsonl'), { force: true });
  return results;
}

/** Defaults of the shared budget the CLI starts from (the trainer's own defaults otherwise). */
export const EXPERIMENT_DEFAULTS = {
  seeds: 3,
  heldOutFraction: 0.2,
  splitSeed: 1234,
  gamma: DEFAULT_CONFIG.spo_gamma,
  classes: DEFAULT_CONFIG.spo_classes,
} as const;
