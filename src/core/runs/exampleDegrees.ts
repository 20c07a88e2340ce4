// Builds what the degree views show (spo-method.md §6): the data degree of a pair (always), joined
// with the model and SPO degrees a finished run wrote to degrees.jsonl, and the dataset table hardest-first.
import type { PreferencePair } from '../data/types';
import { analyzePair, Extractor } from '../keys';
import type { DatasetDegreeRow, PairDataDegree, ExampleDegreeView, RunDegreeView } from '../protocol';

const PREVIEW_CHARS = 280;

function preview(text: string, max = PREVIEW_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function pairDataDegree(pair: PreferencePair, extractor: Extractor, maxKeys: number): PairDataDegree {
  const { degree } = analyzePair(pair, extractor, maxKeys);
  return { degree: degree.data, chosenOnly: degree.chosenOnly, rejectedOnly: degree.rejectedOnly };
}

export interface RunDegrees {
  run: string | null;
  /** Why there are no model degrees, or which run they come from. */
  note: string;
  records: Map<number, RunDegreeView>;
}

export function exampleDegreeView(file: string, line: number, pair: PreferencePair | null, problem: string | null, extractor: Extractor, maxKeys: number, run: RunDegrees): ExampleDegreeView {
  const record = pair ? run.records.get(pair.line) : undefined;
  return {
    file,
    line: pair?.line ?? line,
    promptPreview: pair ? preview(pair.prompt.text.slice(-600)) : '',
    chosenPreview: pair ? preview(pair.chosen.text) : '',
    rejectedPreview: pair ? preview(pair.rejected.text) : '',
    data: pair ? pairDataDegree(pair, extractor, maxKeys) : null,
    dataProblem: pair ? undefined : problem ?? `line ${line} is not a preference record`,
    model: record?.model ?? null,
    spo: record?.spo ?? null,
    run: run.run,
    runNote: run.run && !record ? `${run.note}; it has no degrees for line ${pair?.line ?? line} (held out or skipped)` : run.note,
  };
}

/** What orders examples by hardness: the model margin (null: the run has none for it) and the data degree. */
export interface HardnessKey {
  line: number;
  margin: number | null;
  data: number | null;
}

/**
 * The one hardest-first order (the dataset view, `spo degrees`): the lowest model margin first (the model
 * is least sure chosen ≻ rejected), examples without one last; then the lowest data degree (the chosen
 * response carries the least distinct key content); then file order.
 */
export function compareHardestFirst(a: HardnessKey, b: HardnessKey): number {
  return (a.margin ?? Infinity) - (b.margin ?? Infinity) || (a.data ?? 0) - (b.data ?? 0) || a.line - b.line;
}

/** Dataset rows hardest first (see compareHardestFirst), each with its data degree and the run's model degree. */
export function datasetDegreeRows(pairs: PreferencePair[], extractor: Extractor, maxKeys: number, records: Map<number, RunDegreeView>): DatasetDegreeRow[] {
  const rows = pairs.map((pair): DatasetDegreeRow => {
    const record = records.get(pair.line);
    return {
      line: pair.line,
      data: pairDataDegree(pair, extractor, maxKeys).degree,
      margin: record?.model?.margin ?? null,
      prob: record?.model?.prob ?? null,
      preview: preview(lastUserTurn(pair.prompt.text), 160),
    };
  });
  return rows.sort(compareHardestFirst);
}

/** The question the pair answers: for HH transcripts, the last Human turn; otherwise the prompt itself. */
export function lastUserTurn(prompt: string): string {
  const body = prompt.replace(/\s*Assistant:\s*$/, '');
  const at = body.lastIndexOf('Human:');
  return (at >= 0 ? body.slice(at + 'Human:'.length) : body).trim();
}

/** The record holding `line`: the last one that starts at or before it (multi-line JSON arrays). Any order. */
export function pairAtLine<R extends { line: number }>(records: readonly R[], line: number): R | null {
  let found: R | null = null;
  for (const r of records) {
    if (r.line <= line && (!found || r.line > found.line)) found = r;
  }
  return found;
}
