// One experiment arm on the torch engine (a pretrained HF model, TRL's DPOTrainer + the SPO heads): train
// through `trainWithTorch` with the held-out pairs as eval_data, then read the held-out margins from the
// run's degrees.jsonl, which the engine computes with its own degree code (the same definition as
// training: β·[(logπ−logπref)(chosen) − (logπ−logπref)(rejected)]). No reference stage: the reference is
// the starting model (with LoRA, the base model with the adapter off).
import * as fs from 'fs';
import * as path from 'path';
import type { TrainerEvent } from '../protocol/trainer';
import type { ArmOutcome } from '../protocol/armJob';
import { torchRequest } from '../engine/torchRequest';
import { trainWithTorch } from '../engine/torchTraining';
import type { PythonHints } from '../engine/pythonLocation';
import { RUN_FILES } from '../train/runFolder';
import { ArmEventSummary } from './armEvents';

export interface TorchArmJob {
  /** Resolved config keys of the run (data = the train split, eval_data = the held-out split, model, seed, spo_*). */
  config: Record<string, unknown>;
  runDir: string;
  /** Held-out pairs in the eval_data file: the margins come back in that order. */
  heldOutPairs: number;
  python?: PythonHints;
}

/** The eval-split margins of a torch run's degrees.jsonl, in eval_data order (their `index` order). */
export function heldOutMarginsFromDegrees(text: string, where: string, expected: number, allEval = false): number[] {
  const rows: Array<{ index: number; margin: number }> = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const r = JSON.parse(line) as { index?: unknown; split?: unknown; model?: { margin?: unknown } };
    if (!allEval && r.split !== 'eval') return;
    if (typeof r.index !== 'number' || typeof r.model?.margin !== 'number' || !Number.isFinite(r.model.margin)) {
      throw new Error(`${where}:${i + 1}: an eval record without a finite model.margin`);
    }
    rows.push({ index: r.index, margin: r.model.margin });
  });
  if (rows.length !== expected) throw new Error(`${where}: ${rows.length} held-out degree records, expected ${expected}`);
  return rows.sort((a, b) => a.index - b.index).map((r) => r.margin);
}

export async function runTorchArm(job: TorchArmJob, onEvent?: (e: TrainerEvent) => void): Promise<ArmOutcome> {
  const t0 = Date.now();
  const events = new ArmEventSummary();
  const request = torchRequest(job.config, job.runDir, false, job.python);
  const result = await trainWithTorch(request, {
    onEvent: (e) => {
      events.observe(e);
      onEvent?.(e);
    },
  });
  if (result.reason !== 'completed') {
    throw new Error(`torch arm in ${job.runDir} ended '${result.reason}' at step ${result.step}${result.message ? `: ${result.message}` : ''}`);
  }
  // The eval_data pairs' records: eval_degrees.jsonl where the engine keeps them apart (as the TF.js
  // engine does), else the split "eval" records of degrees.jsonl.
  const apart = path.join(job.runDir, RUN_FILES.evalDegrees);
  const degreesFile = fs.existsSync(apart) ? apart : path.join(job.runDir, RUN_FILES.degrees);
  const margins = heldOutMarginsFromDegrees(fs.readFileSync(degreesFile, 'utf8'), degreesFile, job.heldOutPairs, degreesFile === apart);
  const spoOn = Number(job.config.spo_gamma) > 0;
  return {
    ...events.fields(spoOn),
    seconds: (Date.now() - t0) / 1000,
    steps: result.step,
    referenceDir: null,
    heldOut: {
      margins,
      accuracy: margins.filter((m) => m > 0).length / margins.length,
      meanMargin: margins.reduce((a, b) => a + b, 0) / margins.length,
    },
  };
}
