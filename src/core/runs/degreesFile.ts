// Reads <run>/degrees.jsonl (per-example model and SPO degrees, written by the trainer after training)
// into a map by 1-based data-file line. Unreadable lines are skipped: the degree views are best effort.
import * as fs from 'fs';
import type { ExampleDegreeRecord } from '../protocol';
import { READ_LIMITS, readRegularFile, readRegularFileSync } from '../fs/safeFiles';

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** One SPO head as the trainer writes it (`HeadDegree`: {probs, expected}); null when malformed. */
function head(value: unknown): { probs: number[]; expected: number } | null {
  const h = value as { probs?: unknown; expected?: unknown } | null | undefined;
  const probs = h?.probs;
  return Array.isArray(probs) && probs.every(finite) && finite(h?.expected) ? { probs: probs as number[], expected: h.expected as number } : null;
}

/** Normalise one parsed line of the trainer's `DegreeRecord` shape; null when it has no usable `line`. */
export function toDegreeRecord(value: unknown): ExampleDegreeRecord | null {
  if (value === null || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if (!finite(o.line)) return null;
  const record: ExampleDegreeRecord = { line: o.line };
  if (finite(o.index)) record.index = o.index;
  const model = o.model as { margin?: unknown; probability?: unknown } | undefined;
  if (model && finite(model.margin) && finite(model.probability)) record.model = { margin: model.margin, prob: model.probability };
  const spo = o.spo as { pref?: unknown; dispref?: unknown } | null | undefined;
  const pref = head(spo?.pref);
  const dispref = head(spo?.dispref);
  if (pref && dispref) record.spo = { pref: pref.probs, dispref: dispref.probs, prefExpected: pref.expected, disprefExpected: dispref.expected };
  const degree = (o.data as { degree?: unknown } | null | undefined)?.degree;
  if (finite(degree)) record.data = degree;
  return record;
}

export function parseDegreesText(text: string): Map<number, ExampleDegreeRecord> {
  const out = new Map<number, ExampleDegreeRecord>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const record = toDegreeRecord(value);
    if (record) out.set(record.line, record);
  }
  return out;
}

export function readDegreesFile(file: string): Map<number, ExampleDegreeRecord> {
  try {
    return parseDegreesText(readRegularFileSync(file, READ_LIMITS.jsonl).toString('utf8'));
  } catch {
    return new Map();
  }
}

/**
 * The same without blocking, for the extension host (a hover must never freeze it). Unlike the sync
 * reader it reports a refused file (a link to /dev/zero, over the cap) as `problem`, so a view can say so.
 */
export async function readDegreesFileAsync(file: string): Promise<{ records: Map<number, ExampleDegreeRecord>; problem: string | null }> {
  try {
    return { records: parseDegreesText((await readRegularFile(file, READ_LIMITS.jsonl)).toString('utf8')), problem: null };
  } catch (err) {
    return { records: new Map(), problem: (err as Error).message };
  }
}
