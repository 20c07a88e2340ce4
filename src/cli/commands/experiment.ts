// `spo experiment spo-vs-dpo`: does SPO help on this data? DPO vs DPO+SPO (or a sweep of K or γ) with
// the same budget and seeds, evaluated on one held-out split; writes results.json, summary.md, plots.
import * as path from 'path';
import { parseArgs } from 'util';
import { CliCommand, UsageError } from '../command';
import { EXPERIMENT_DEFAULTS, runExperiment } from '../../core/experiment/runner';
import { SweepKey } from '../../core/experiment/types';
import { ConfigError, readConfigFile } from '../../core/train/config';
import { checkValue, keySpec } from '../../core/train/spec';
import { EXPERIMENT_ROWS, flagOptions, flagValues, optionLines, setValues } from '../../core/train/cliFlags';
import { runTimestamp } from '../../core/train/runFolder';
import { fmt, fmtP } from '../../core/experiment/summary';
import { readResults, writeReport } from '../../core/experiment/report';
import { EXPERIMENT_FILES } from '../../core/runs/experimentResults';
import { EXPERIMENT_PROGRESS_PREFIX, ExperimentProgressEvent, formatProgressLine } from '../../core/protocol';

const USAGE = `usage: spo experiment spo-vs-dpo --data FILE [options]
       spo experiment render DIR      (redraw DIR/summary.md and plots from DIR/results.json,
                                       appending DIR/analysis.md when present)

Trains DPO (γ = 0) and DPO+SPO with the same budget and seeds, evaluates each run on the same
held-out pairs (reward accuracy = share of pairs with implicit reward margin > 0, and the mean
margin), and writes results.json, summary.md (mean ± std, paired t-test, sign and Wilcoxon tests)
and plots (SVG, and PNG when Chromium is installed) into --out.

options:
  --data FILE            preference file (any format spo reads; .gz too)            (required)
  --seeds N              training seeds 1..N per arm                                 (default ${EXPERIMENT_DEFAULTS.seeds})
  --preset tiny          train a tokenizer + small GPT + SFT reference per seed      (default)
  --model DIR            start every arm from this HF model folder instead
  --out DIR              output folder                       (default .spo/experiments/spo-vs-dpo-<time>)
  --gamma X              γ of the DPO+SPO arm                                        (default ${EXPERIMENT_DEFAULTS.gamma})
  --classes K            K of the DPO+SPO arm                                        (default ${EXPERIMENT_DEFAULTS.classes})
  --sweep KEY=V1,V2,...  run DPO+SPO at each value instead: classes=2,3,4,6 or gamma=0.01,0.1,0.5,1
  --held-out F           share of pairs held out for evaluation                      (default ${EXPERIMENT_DEFAULTS.heldOutFraction})
  --split-seed N         seed of the train / held-out split                          (default ${EXPERIMENT_DEFAULTS.splitSeed})
  --max-pairs N          use only the first N pairs of the file
  --config FILE          trainer config JSON for any other key (see spo train --help)
  --set KEY=VALUE        one trainer config key (repeatable), e.g. --set tiny_d_model=64
  --runs-dir DIR         run folders and split files                                 (default OUT/runs)
  --keep-runs            keep checkpoints and reference models of every run (large)
  --progress-json        also print each progress change to stdout as one line,
                         '${EXPERIMENT_PROGRESS_PREFIX}{"seed":1,"seedIndex":1,"seeds":3,"arm":"dpo",...}' (for tools)

the training budget of every arm (the same flags and config keys as spo train):
${EXPERIMENT_ROWS.flatMap((s) => optionLines(s)).join('\n')}
`;

const OPTIONS = {
  data: { type: 'string' },
  seeds: { type: 'string' },
  preset: { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string' },
  gamma: { type: 'string' },
  classes: { type: 'string' },
  sweep: { type: 'string' },
  'held-out': { type: 'string' },
  'split-seed': { type: 'string' },
  'max-pairs': { type: 'string' },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  'runs-dir': { type: 'string' },
  'keep-runs': { type: 'boolean' },
  'progress-json': { type: 'boolean' },
} as const;

/** The parsed values of the experiment's own flags. */
type OwnValues = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean : (typeof OPTIONS)[K] extends { multiple: true } ? string[] : string;
};

function number(flag: string, raw: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag} must be ${what}, got '${raw}'`);
  return n;
}
const positiveInt = (n: number) => Number.isInteger(n) && n > 0;

/**
 * What is wrong with a value of the SPO arm's γ or K: the training spec's check of spo_gamma / spo_classes,
 * plus γ > 0 (γ = 0 is the DPO baseline, which every experiment runs anyway).
 */
function spoKnobProblem(knob: SweepKey, n: number): string | null {
  const problem = checkValue(keySpec(knob === 'gamma' ? 'spo_gamma' : 'spo_classes'), n);
  if (problem) return problem;
  return knob === 'gamma' && n === 0 ? 'must be > 0 (γ = 0 is the DPO baseline, always run)' : null;
}

function spoKnob(knob: SweepKey, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? NaN : Number(raw);
  const problem = spoKnobProblem(knob, n);
  if (problem) throw new UsageError(`--${knob} ${problem}, got '${raw}'`);
  return n;
}

/** `classes=2,3,4,6` → {key, values}; the values are checked like the trainer's keys. */
export function parseSweep(raw: string): { key: SweepKey; values: number[] } {
  const m = /^(classes|gamma)=(.+)$/.exec(raw.trim());
  if (!m) throw new UsageError(`--sweep must be classes=V1,V2,... or gamma=V1,V2,..., got '${raw}'`);
  const key = m[1] as SweepKey;
  const values = m[2].split(',').map((s) => s.trim());
  const nums = values.map((v) => Number(v));
  nums.forEach((n, i) => {
    const problem = values[i] === '' ? 'must be a number' : spoKnobProblem(key, n);
    if (problem) throw new UsageError(`--sweep ${key}: '${values[i]}' ${problem}`);
  });
  if (new Set(nums).size !== nums.length) throw new UsageError(`--sweep ${key}: values repeat in '${m[2]}'`);
  return { key, values: nums };
}

export const experimentCommand: CliCommand = {
  name: 'experiment',
  summary: 'does SPO help? DPO vs DPO+SPO (or a K / γ sweep) over seeds, with paired statistics and plots',
  usage: USAGE,
  async run(argv, io) {
    let parsed;
    try {
      // The experiment's own flags, and the training budget's from the training spec (as spo train spells them).
      parsed = parseArgs({ args: argv, options: { ...OPTIONS, ...flagOptions(EXPERIMENT_ROWS) }, allowPositionals: true, strict: true });
    } catch (err) {
      // node:util reports unknown options, missing values and the like: all usage errors.
      throw new UsageError((err as Error).message);
    }
    const { positionals } = parsed;
    const v = parsed.values as OwnValues & Record<string, unknown>;
    if (positionals[0] === 'render') {
      if (positionals.length !== 2) throw new UsageError(`render takes one folder (holding results.json)\n\n${USAGE}`);
      let results;
      try {
        results = readResults(positionals[1]);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const plots = await writeReport(positionals[1], results);
      if (plots.note) io.stderr.write(`note: ${plots.note}\n`);
      io.stdout.write(`wrote ${path.join(positionals[1], EXPERIMENT_FILES.summary)} and ${plots.files.length} plot files\n`);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== 'spo-vs-dpo') {
      throw new UsageError(`expected 'spo-vs-dpo' or 'render'${positionals.length ? `, got '${positionals.join(' ')}'` : ''}\n\n${USAGE}`);
    }
    if (!v.data) throw new UsageError(`--data FILE is required\n\n${USAGE}`);
    if (v.preset !== undefined && v.preset !== 'tiny') throw new UsageError(`--preset must be 'tiny', got '${v.preset}'`);
    if (v.preset !== undefined && v.model !== undefined) throw new UsageError('give either --preset tiny or --model DIR, not both');
    if (v.sweep !== undefined && (v.gamma !== undefined || v.classes !== undefined)) {
      const swept = parseSweep(v.sweep).key;
      if ((swept === 'gamma' && v.gamma !== undefined) || (swept === 'classes' && v.classes !== undefined)) {
        throw new UsageError(`--${swept} conflicts with --sweep ${swept}=...`);
      }
    }

    const seedsN = number('seeds', v.seeds, positiveInt, 'a positive integer') ?? EXPERIMENT_DEFAULTS.seeds;
    const heldOut = number('held-out', v['held-out'], (n) => n > 0 && n < 1, 'a number in (0, 1)') ?? EXPERIMENT_DEFAULTS.heldOutFraction;
    const splitSeed = number('split-seed', v['split-seed'], (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0') ?? EXPERIMENT_DEFAULTS.splitSeed;
    const maxPairs = number('max-pairs', v['max-pairs'], positiveInt, 'a positive integer') ?? 0;
    const gamma = spoKnob('gamma', v.gamma) ?? EXPERIMENT_DEFAULTS.gamma;
    const classes = spoKnob('classes', v.classes) ?? EXPERIMENT_DEFAULTS.classes;

    let trainer: Record<string, unknown> = {};
    try {
      if (v.config) trainer = { ...readConfigFile(v.config) };
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    try {
      Object.assign(trainer, setValues(v.set ?? []), flagValues(EXPERIMENT_ROWS, v));
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    for (const k of ['data', 'model', 'seed', 'spo_gamma', 'spo_classes', 'output_dir']) {
      if (k in trainer) throw new UsageError(`trainer key '${k}' is set by the experiment itself; use the experiment's own flag`);
    }

    const outDir = path.resolve(v.out ?? path.join('.spo', 'experiments', `spo-vs-dpo-${runTimestamp(new Date())}`));
    const log = (line: string) => io.stderr.write(`${line}\n`);
    const progress = v['progress-json'] ? (e: ExperimentProgressEvent) => io.stdout.write(`${formatProgressLine(e)}\n`) : undefined;
    let results;
    try {
      results = await runExperiment({
        dataFile: v.data, // as given, so results.json reads the same on another machine
        outDir,
        runsDir: v['runs-dir'] ? path.resolve(v['runs-dir']) : undefined,
        seeds: Array.from({ length: seedsN }, (_, i) => i + 1),
        heldOutFraction: heldOut,
        splitSeed,
        maxPairs,
        model: v.model ? path.resolve(v.model) : null,
        gamma,
        classes,
        sweep: v.sweep ? parseSweep(v.sweep) : null,
        trainer,
        keepRuns: v['keep-runs'] ?? false,
        command: ['spo', 'experiment', ...argv].join(' '),
        log,
        progress,
      });
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    for (const s of results.summaries) {
      io.stdout.write(`${s.arm.padEnd(18)} reward accuracy ${fmt(s.mean.eval_reward_accuracy)} ± ${fmt(s.std.eval_reward_accuracy)}  ` +
        `margin ${fmt(s.mean.eval_mean_margin, 4)} ± ${fmt(s.std.eval_mean_margin, 4)}  (${s.n} seeds)\n`);
    }
    for (const c of results.comparisons.filter((x) => x.metric === 'eval_reward_accuracy')) {
      io.stdout.write(`${c.arm} − dpo: ${fmt(c.tTest.meanDiff)} (paired t-test p = ${fmtP(c.tTest.p)})\n`);
    }
    io.stdout.write(`wrote ${path.join(outDir, 'results.json')} and ${path.join(outDir, 'summary.md')}\n`);
    return 0;
  },
};
