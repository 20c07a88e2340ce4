// RUN/pairs.jsonl (docs/engine-contract.md, "Prepared pairs"): the TS side is the only reader of the data
// formats and the only key-content extractor, so before the torch engine starts it writes every pair
// with its split, prompt messages and key spans; the Python side trains from this file alone.
import * as fs from 'fs';
import * as path from 'path';
import type { ChatMessage, PreferencePair } from '../data/types';
import type { KeySpan } from '../keys/types';
import { createExtractor, dataDegree } from '../keys';
import { RUN_FILES, RunFolder } from '../train/runFolder';
import { Split, TrainingDataSettings, TrainingPairs, checkSavedSplit, loadTrainingPairs, splitFor } from '../train/trainingData';
import { promptMessages } from './promptMessages';

export const PAIRS_FILE = 'pairs.jsonl';

export interface PreparedPair {
  index: number;
  split: 'train' | 'eval';
  source_line: number;
  prompt: string;
  chosen: string;
  rejected: string;
  prompt_messages: ChatMessage[] | null;
  chosen_keys: KeySpan[];
  rejected_keys: KeySpan[];
  /** The pair's data degree (spo-method.md §6), from the keys above; the torch engine copies it into degrees.jsonl. */
  data_degree: PreparedDataDegree;
}

/** The `data` part of a degrees.jsonl record (src/core/train/degrees.ts `DegreeRecord`), in its key names. */
export interface PreparedDataDegree {
  degree: number;
  chosenOnly: string[];
  rejectedOnly: string[];
}

/** What the writer needs of the config: the data and split keys plus the key-content knobs. */
export interface PairsSettings extends TrainingDataSettings {
  extractor: string;
  max_keys: number;
}

export interface PreparedPairsSummary {
  file: string;
  pairs: number;
  train: number;
  eval: number;
  split: Split;
}

/** The prepared pairs, in the numbering of split.json (the data file's pairs, then eval_data's). */
export function preparePairs(data: TrainingPairs, split: Split, settings: Pick<PairsSettings, 'extractor' | 'max_keys'>): PreparedPair[] {
  const evalSet = new Set(split.eval);
  const extractor = createExtractor(settings.extractor);
  return data.pairs.map((p, index) => {
    const chosenKeys = extractor.extract(p.chosen.text, settings.max_keys);
    const rejectedKeys = extractor.extract(p.rejected.text, settings.max_keys);
    const dd = dataDegree(chosenKeys, rejectedKeys, p.chosen.text, p.rejected.text);
    return {
      index,
      split: evalSet.has(index) ? 'eval' : 'train',
      source_line: p.line,
      prompt: p.prompt.text,
      chosen: p.chosen.text,
      rejected: p.rejected.text,
      prompt_messages: promptMessages(p),
      chosen_keys: chosenKeys,
      rejected_keys: rejectedKeys,
      data_degree: { degree: dd.data, chosenOnly: dd.chosenOnly, rejectedOnly: dd.rejectedOnly },
    };
  });
}

/**
 * The pairs `spo score --engine torch` hands the Python scorer: the prepared-pair layout, every pair in split
 * `train`, with no key spans (scoring needs none, so no extractor runs).
 */
export function scoringPairs(pairs: readonly PreferencePair[]): PreparedPair[] {
  return pairs.map((p, index) => ({
    index, split: 'train', source_line: p.line, prompt: p.prompt.text, chosen: p.chosen.text, rejected: p.rejected.text,
    prompt_messages: promptMessages(p), chosen_keys: [], rejected_keys: [],
    data_degree: { degree: 0, chosenOnly: [], rejectedOnly: [] },
  }));
}

/**
 * Read the data, split it (a new run writes split.json; a resumed one must match it) and write
 * RUN/pairs.jsonl, replacing it atomically.
 */
export async function writePreparedPairs(
  runDir: string, settings: PairsSettings, options: { resume?: boolean; log?: (level: 'warn', message: string) => void } = {},
): Promise<PreparedPairsSummary> {
  const run = new RunFolder(runDir);
  const data = await loadTrainingPairs(settings, options.log ?? (() => undefined));
  let split: Split;
  if (options.resume && run.exists(RUN_FILES.split)) {
    split = run.readJson<Split>(RUN_FILES.split);
    checkSavedSplit(split, data, settings, run.path(RUN_FILES.split));
  } else {
    split = splitFor(data, settings);
    run.writeJson(RUN_FILES.split, split);
  }
  const pairs = preparePairs(data, split, settings);
  const file = path.join(runDir, PAIRS_FILE);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  fs.renameSync(tmp, file);
  return { file, pairs: pairs.length, train: split.train.length, eval: split.eval.length, split };
}
