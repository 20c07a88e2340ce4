// The pairs a run trains and evaluates on, and its held-out split: one definition for both engines
// (the TF.js trainer reads them directly; the torch engine gets them through pairs.jsonl).
import type { PreferencePair } from '../data/types';
import { loadPreferenceFile } from '../data';
import { SeededRandom } from '../random';

/** The config keys that decide which pairs a run sees and how they split. */
export interface TrainingDataSettings {
  data: string;
  eval_data: string | null;
  max_pairs: number;
  seed: number;
  eval_fraction: number;
  eval_max_pairs: number;
}

export interface Split {
  /** Indices into the loaded pairs (with `eval_data`: the data file's pairs, then the eval file's). */
  train: number[];
  eval: number[];
  /** The same, as 1-based source lines (what a human or another tool can check). */
  trainLines: number[];
  /** Lines of `evalData` when it is set, else of the data file. */
  evalLines: number[];
  /** The `eval_data` file the held-out pairs come from (absent: they are a split of the data file). */
  evalData?: string;
}

export interface TrainingPairs {
  /** The data file's pairs (capped by max_pairs). */
  dataPairs: PreferencePair[];
  /** The `eval_data` file's pairs (empty without it). */
  evalPairs: PreferencePair[];
  /** dataPairs then evalPairs: the numbering of split.json, pairs.jsonl and the variant draws. */
  pairs: PreferencePair[];
}

/** Fixed held-out split: a seeded shuffle, eval = the first ⌈fraction·N⌉ (capped), recorded in split.json. */
export function makeSplit(pairs: readonly PreferencePair[], cfg: Pick<TrainingDataSettings, 'seed' | 'eval_fraction' | 'eval_max_pairs'>): Split {
  const order = new SeededRandom(cfg.seed ^ 0x5eed).shuffled(pairs.map((_, i) => i));
  const nEval = Math.min(cfg.eval_max_pairs, Math.ceil(cfg.eval_fraction * pairs.length), pairs.length - 1);
  const evalIdx = order.slice(0, nEval).sort((a, b) => a - b);
  const trainIdx = order.slice(nEval).sort((a, b) => a - b);
  return { train: trainIdx, eval: evalIdx, trainLines: trainIdx.map((i) => pairs[i].line), evalLines: evalIdx.map((i) => pairs[i].line) };
}

/** An explicit held-out set: every pair of the data file trains, every pair of `eval_data` (appended after them) evaluates. */
export function explicitSplit(trainPairs: readonly PreferencePair[], evalPairs: readonly PreferencePair[], evalData: string): Split {
  const train = trainPairs.map((_, i) => i);
  const evalIdx = evalPairs.map((_, i) => trainPairs.length + i);
  return { train, eval: evalIdx, trainLines: trainPairs.map((p) => p.line), evalLines: evalPairs.map((p) => p.line), evalData };
}

/** The split of a new run. */
export function splitFor(data: TrainingPairs, cfg: TrainingDataSettings): Split {
  return cfg.eval_data ? explicitSplit(data.dataPairs, data.evalPairs, cfg.eval_data) : makeSplit(data.pairs, cfg);
}

/** Whether a run's saved split.json still fits the data (a resume must see the same pairs). */
export function checkSavedSplit(split: Split, data: TrainingPairs, cfg: TrainingDataSettings, where: string): void {
  const outOfRange = [split.train, split.eval].some((list) => list.some((i) => i >= data.pairs.length));
  if ((split.evalData ?? null) !== cfg.eval_data || outOfRange) {
    throw new Error(`${where} does not match the data (${cfg.data}${cfg.eval_data ? `, eval_data ${cfg.eval_data}` : ''}): was a file changed since the run started?`);
  }
}

type Warn = (level: 'warn', message: string) => void;

function reportIssues(file: string, issues: ReadonlyArray<{ line: number; message: string }>, log: Warn): void {
  for (const issue of issues.slice(0, 20)) log('warn', `${file}:${issue.line}: ${issue.message} (skipped)`);
  if (issues.length > 20) log('warn', `${file}: ${issues.length - 20} more bad records skipped`);
}

/** The `eval_data` pairs; errors name the key, since the file came from the config. */
async function loadEvalData(file: string, log: Warn): Promise<PreferencePair[]> {
  let loaded: Awaited<ReturnType<typeof loadPreferenceFile>>;
  try {
    loaded = await loadPreferenceFile(file);
  } catch (err) {
    throw new Error(`config key "eval_data": ${(err as Error).message}`);
  }
  reportIssues(file, loaded.issues, log);
  if (loaded.pairs.length === 0) throw new Error(`config key "eval_data": ${file} holds no preference pairs`);
  return loaded.pairs;
}

/** Read the data (and eval_data) files; bad records are logged and skipped. */
export async function loadTrainingPairs(cfg: TrainingDataSettings, log: Warn): Promise<TrainingPairs> {
  const loaded = await loadPreferenceFile(cfg.data);
  reportIssues(cfg.data, loaded.issues, log);
  const dataPairs = cfg.max_pairs > 0 ? loaded.pairs.slice(0, cfg.max_pairs) : loaded.pairs;
  const evalPairs = cfg.eval_data ? await loadEvalData(cfg.eval_data, log) : [];
  const minTrain = cfg.eval_data ? 1 : 2;
  if (dataPairs.length < minTrain) throw new Error(`${cfg.data}: need at least ${minTrain} preference pairs to train, found ${dataPairs.length}`);
  return { dataPairs, evalPairs, pairs: [...dataPairs, ...evalPairs] };
}
