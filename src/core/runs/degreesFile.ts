// The one reader of <run>/degrees.jsonl (DegreeRecord per line, from either engine), in two modes:
// strict for `spo degrees` (the first bad line is an error naming file:line), lenient for the degree
// views (best effort: bad lines are skipped and counted, a record keeps the parts that are well formed).
import type { DegreeRecord, HeadDegree, RunDegreeView } from '../protocol';
import { READ_LIMITS, readRegularFile, readRegularFileSync } from '../fs/safeFiles';
import { eachJsonlLine } from './jsonlLines';

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** One SPO head ({probs, expected}); null when malformed. */
function head(value: unknown): HeadDegree | null {
  if (!isObject(value)) return null;
  const { probs, expected } = value;
  return Array.isArray(probs) && probs.length > 0 && probs.every(finite) && finite(expected) ? { probs, expected } : null;
}

/** `record.model`'s margin and probability; null when either is not a number (JSON writes NaN as null). */
function modelDegree(value: unknown): { margin: number; probability: number } | null {
  return isObject(value) && finite(value.margin) && finite(value.probability) ? { margin: value.margin, probability: value.probability } : null;
}

/** Why `value` is not a DegreeRecord, or null when it is one. */
export function degreeRecordProblem(value: unknown): string | null {
  if (!isObject(value)) return 'not a JSON object';
  const o = value;
  if (!Number.isInteger(o.line) || (o.line as number) < 1) return '"line" is not a positive integer';
  if (!Number.isInteger(o.index) || (o.index as number) < 0) return '"index" is not a non-negative integer';
  if (o.split !== 'train' && o.split !== 'eval') return '"split" is neither "train" nor "eval"';
  const model = modelDegree(o.model);
  if (!model || !isObject(o.model) || !finite(o.model.chosenReward) || !finite(o.model.rejectedReward)) {
    return '"model" lacks a number for margin, probability, chosenReward or rejectedReward';
  }
  if (o.spo !== null && !(isObject(o.spo) && head(o.spo.pref) && head(o.spo.dispref))) {
    return '"spo" is neither null nor {pref, dispref} heads of {probs, expected}';
  }
  if (o.data !== null && !(isObject(o.data) && finite(o.data.degree) && isStringList(o.data.chosenOnly) && isStringList(o.data.rejectedOnly))) {
    return '"data" is neither null nor {degree, chosenOnly, rejectedOnly}';
  }
  return null;
}

/** The parts of one parsed line the degree views use; null when it has no usable `line`. */
export function toRunDegreeView(value: unknown): RunDegreeView | null {
  if (!isObject(value) || !finite(value.line)) return null;
  const o = value;
  const view: RunDegreeView = { line: o.line as number };
  if (finite(o.index)) view.index = o.index;
  const model = modelDegree(o.model);
  if (model) view.model = { margin: model.margin, prob: model.probability };
  const spo = isObject(o.spo) ? o.spo : null;
  const pref = head(spo?.pref);
  const dispref = head(spo?.dispref);
  if (pref && dispref) view.spo = { pref: pref.probs, dispref: dispref.probs, prefExpected: pref.expected, disprefExpected: dispref.expected };
  const degree = isObject(o.data) ? o.data.degree : undefined;
  if (finite(degree)) view.data = degree;
  return view;
}

/** What the lenient reader gives the views: records by 1-based data-file line, and how many lines it skipped. */
export interface LenientDegrees {
  records: Map<number, RunDegreeView>;
  skipped: number;
}

/** A bad line met by the strict reader; the message names the file and the 1-based line. */
export class DegreeLineError extends Error {
  constructor(readonly file: string, readonly line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'DegreeLineError';
  }
}

export type DegreesReadMode = { strict: true; file: string } | { strict: false };

/** Read degrees.jsonl text: strict throws `file:line: why` at the first bad line; lenient skips and counts. */
export function parseDegreesJsonl(text: string, mode: { strict: true; file: string }): DegreeRecord[];
export function parseDegreesJsonl(text: string, mode: { strict: false }): LenientDegrees;
export function parseDegreesJsonl(text: string, mode: DegreesReadMode): DegreeRecord[] | LenientDegrees {
  const strict: DegreeRecord[] = [];
  const lenient: LenientDegrees = { records: new Map(), skipped: 0 };
  eachJsonlLine(text, 1, (entry) => {
    if (mode.strict) {
      const problem = 'error' in entry ? `not valid JSON (${entry.error})` : degreeRecordProblem(entry.value);
      if (problem) throw new DegreeLineError(mode.file, entry.line, problem);
      strict.push((entry as { value: DegreeRecord }).value);
      return;
    }
    const view = 'error' in entry ? null : toRunDegreeView(entry.value);
    if (view) lenient.records.set(view.line, view);
    else lenient.skipped += 1;
  });
  return mode.strict ? strict : lenient;
}

/** Lenient: the degrees the views show, by data-file line (bad lines skipped). */
export function parseDegreesText(text: string): Map<number, RunDegreeView> {
  return parseDegreesJsonl(text, { strict: false }).records;
}

/** Strict, for `spo degrees`: every record of the file, or an error naming the file and the bad line. */
export function readDegreeRecords(file: string): DegreeRecord[] {
  return parseDegreesJsonl(readRegularFileSync(file, READ_LIMITS.jsonl).toString('utf8'), { strict: true, file });
}

/** Lenient and synchronous (scripts, tests): a file that cannot be read gives no records. */
export function readDegreesFile(file: string): Map<number, RunDegreeView> {
  try {
    return parseDegreesText(readRegularFileSync(file, READ_LIMITS.jsonl).toString('utf8'));
  } catch {
    return new Map();
  }
}

/**
 * Lenient without blocking, for the extension host (a hover must never freeze it). Regular files under
 * the size cap only; a refused file (a link to /dev/zero, over the cap) comes back as `problem`, so a view can say so.
 */
export async function readDegreesFileAsync(file: string): Promise<LenientDegrees & { problem: string | null }> {
  try {
    return { ...parseDegreesJsonl((await readRegularFile(file, READ_LIMITS.jsonl)).toString('utf8'), { strict: false }), problem: null };
  } catch (err) {
    return { records: new Map(), skipped: 0, problem: (err as Error).message };
  }
}
