// Reads <run>/degrees.jsonl (per-example model and SPO degrees, written by the trainer after training)
// into a map by 1-based data-file line. Unreadable lines are skipped: the degree views are best effort.
import * as fs from 'fs';
import type { ExampleDegreeRecord } from '../protocol';

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function numbers(v: unknown): number[] | null {
  return Array.isArray(v) && v.every(finite) ? (v as number[]) : null;
}

/** Normalise one parsed line; null when it has no usable `line`. */
export function toDegreeRecord(value: unknown): ExampleDegreeRecord | null {
  if (value === null || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if (!finite(o.line)) return null;
  const record: ExampleDegreeRecord = { line: o.line };
  if (finite(o.index)) record.index = o.index;
  const model = o.model as Record<string, unknown> | undefined;
  if (model && finite(model.margin)) {
    const prob = finite(model.probability) ? model.probability : finite(model.prob) ? model.prob : 1 / (1 + Math.exp(-model.margin));
    record.model = { margin: model.margin, prob };
  }
  // The trainer writes each head as {probs, expected}; a bare probability list is accepted too.
  const spo = o.spo as Record<string, unknown> | null | undefined;
  const head = (h: unknown): { probs: number[]; expected: number } | null => {
    const probs = numbers(h) ?? numbers((h as { probs?: unknown } | null)?.probs);
    if (!probs) return null;
    const given = (h as { expected?: unknown }).expected;
    return { probs, expected: finite(given) ? given : probs.reduce((s, q, c) => s + q * c, 0) };
  };
  const pref = spo ? head(spo.pref) : null;
  const dispref = spo ? head(spo.dispref) : null;
  if (pref && dispref) record.spo = { pref: pref.probs, dispref: dispref.probs, prefExpected: pref.expected, disprefExpected: dispref.expected };
  const data = o.data;
  if (finite(data)) record.data = data;
  else if (data && typeof data === 'object' && finite((data as Record<string, unknown>).data)) record.data = (data as { data: number }).data;
  else if (data && typeof data === 'object' && finite((data as Record<string, unknown>).degree)) record.data = (data as { degree: number }).degree;
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
    return parseDegreesText(fs.readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}
