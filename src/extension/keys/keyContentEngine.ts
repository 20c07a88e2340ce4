// The extension's one entry to key-content analysis: current settings, the extractor, the per-line
// cache, and the pair (with its analysis) at a line. Highlights, hovers and the pair view share it.
import * as vscode from 'vscode';
import { PreferencePair, ReadIssue, isReadIssue, parsePreferenceLine } from '../../core/data';
import {
  Extractor, KeyDecoration, KeyDecorationCache, LineRange, PairKeyAnalysis, analyzePair, computeKeyDecorationsSliced,
  createExtractor,
} from '../../core/keys';
import { oneStep, runToEnd, SlicedWork } from '../../core/slicedWork';
import { JsonArrayIndex, MAX_JSON_ARRAY_CHARS, ParsedJsonArray } from './jsonArrayIndex';
import { preferenceLayout } from './preferenceDocument';
import { KeyContentSettings, readKeyContentSettings } from './settings';
import { capOccurrences } from '../../core/keys/displayLimits';

export type PairAtLine =
  | { kind: 'pair'; pair: PreferencePair; analysis: PairKeyAnalysis }
  | { kind: 'issue'; issue: ReadIssue }
  | { kind: 'none'; reason: string };

/** Lines looked at to find the next / previous record of a JSONL file (blank lines are skipped). */
const MAX_LINES_TO_SKIP = 10_000;

export class KeyContentEngine {
  private current: KeyContentSettings;
  private extractorInstance: Extractor;
  /** Per-line-text cache: equal JSONL lines (in any document) share their analysis. */
  private readonly lineCache = new KeyDecorationCache(4000);
  /** Per-record cache of JSON-array pairs' decorations, keyed by document, version and record line. */
  private readonly arrayCache = new Map<string, { version: number; byLine: Map<number, KeyDecoration[]> }>();

  constructor(private readonly output: vscode.LogOutputChannel, readonly jsonArrays: JsonArrayIndex) {
    this.current = readKeyContentSettings();
    this.extractorInstance = this.makeExtractor(this.current.extractor);
  }

  get settings(): KeyContentSettings {
    return this.current;
  }

  get extractor(): Extractor {
    return this.extractorInstance;
  }

  /** Re-read the settings; everything computed before is dropped. */
  reload(): void {
    this.current = readKeyContentSettings();
    this.extractorInstance = this.makeExtractor(this.current.extractor);
    this.lineCache.clear();
    this.arrayCache.clear();
    this.jsonArrays.clear();
  }

  forget(document: vscode.TextDocument): void {
    this.arrayCache.delete(document.uri.toString());
    this.jsonArrays.forget(document);
  }

  /** Key decorations on the 0-based lines of `range` of a preference document. */
  /** `onNote`: lines whose highlights were capped or skipped, with the note to show there. */
  decorations(document: vscode.TextDocument, range: LineRange, onNote?: (line: number, note: string) => void): KeyDecoration[] {
    return runToEnd(this.decorationsSliced(document, range, onNote));
  }

  /** `decorations` in slices (slicedWork.ts): JSONL lines are; a JSON array's records are one step (its size is capped). */
  decorationsSliced(document: vscode.TextDocument, range: LineRange, onNote?: (line: number, note: string) => void): SlicedWork<KeyDecoration[]> {
    const layout = preferenceLayout(document);
    if (layout === 'jsonl') {
      return computeKeyDecorationsSliced(
        { lineCount: document.lineCount, getLine: (i) => document.lineAt(i).text },
        range,
        { extractor: this.extractorInstance, maxKeys: this.current.maxKeys, format: this.current.format, cache: this.lineCache, onNote },
      );
    }
    return oneStep(() => {
      if (layout !== 'json') return [];
      const parsed = this.jsonArrays.get(document, this.current.format);
      return parsed ? this.arrayDecorations(document, parsed, range) : [];
    });
  }

  /** The record on the 1-based `line` and its key analysis. */
  pairAt(document: vscode.TextDocument, line: number): PairAtLine {
    const layout = preferenceLayout(document);
    const label = fileLabel(document);
    if (!layout) return { kind: 'none', reason: `${label} does not look like preference data (no chosen/rejected records in its first lines).` };
    if (line < 1 || line > document.lineCount) return { kind: 'none', reason: `Line ${line} is outside ${label}.` };
    let found: PreferencePair | ReadIssue | null | undefined;
    if (layout === 'jsonl') {
      found = parsePreferenceLine(document.lineAt(line - 1).text, line, this.current.format);
    } else {
      const parsed = this.jsonArrays.get(document, this.current.format);
      if (!parsed) return { kind: 'none', reason: `${label} is a JSON array over ${MAX_JSON_ARRAY_CHARS} characters; convert it to JSONL (spo convert) to browse it.` };
      found = recordAt(parsed, line);
    }
    if (!found) return { kind: 'none', reason: `Line ${line} of ${label} holds no record.` };
    if (isReadIssue(found)) return { kind: 'issue', issue: found };
    return { kind: 'pair', pair: found, analysis: analyzePair(found, this.extractorInstance, this.current.maxKeys) };
  }

  /** The 1-based line where the record after (step 1) or before (step −1) the one on `line` starts. */
  neighbourRecordLine(document: vscode.TextDocument, line: number, step: 1 | -1): number | undefined {
    if (preferenceLayout(document) === 'json') {
      const parsed = this.jsonArrays.get(document, this.current.format);
      if (!parsed) return undefined;
      const starts = [...parsed.pairs.map((p) => p.line), ...parsed.issues.map((i) => i.line)].sort((a, b) => a - b);
      const here = recordAt(parsed, line)?.line ?? 0;
      return step === 1 ? starts.find((s) => s > here) : [...starts].reverse().find((s) => s < here);
    }
    let index = line - 1 + step;
    for (let skipped = 0; index >= 0 && index < document.lineCount && skipped < MAX_LINES_TO_SKIP; skipped++, index += step) {
      if (!document.lineAt(index).isEmptyOrWhitespace) return index + 1;
    }
    return undefined;
  }

  /** Decorations of the JSON-array pairs whose responses lie on a line of `range`, cached per record. */
  private arrayDecorations(document: vscode.TextDocument, parsed: ParsedJsonArray, range: LineRange): KeyDecoration[] {
    const key = document.uri.toString();
    let cache = this.arrayCache.get(key);
    if (!cache || cache.version !== document.version) {
      cache = { version: document.version, byLine: new Map() };
      this.arrayCache.set(key, cache);
    }
    const inRange = (line: number | undefined) => line !== undefined && line - 1 >= range.first && line - 1 <= range.last;
    const out: KeyDecoration[] = [];
    for (const pair of parsed.pairs) {
      if (!inRange(pair.chosen.source?.line) && !inRange(pair.rejected.source?.line)) continue;
      let decorations = cache.byLine.get(pair.line);
      if (!decorations) {
        decorations = pairDecorations(pair, analyzePair(pair, this.extractorInstance, this.current.maxKeys));
        cache.byLine.set(pair.line, decorations);
      }
      out.push(...decorations.filter((d) => inRange(d.line)));
    }
    return out;
  }

  private makeExtractor(name: string): Extractor {
    try {
      return createExtractor(name);
    } catch (err) {
      this.output.warn(`spo.keys.extractor: ${(err as Error).message}; using rake.`);
      return createExtractor('rake');
    }
  }
}

/** The pair or bad record whose record holds the 1-based `line`: the last one starting at or before it. */
function recordAt(parsed: ParsedJsonArray, line: number): PreferencePair | ReadIssue | undefined {
  let found: PreferencePair | ReadIssue | undefined;
  for (const item of [...parsed.pairs, ...parsed.issues]) {
    if (item.line <= line && (!found || item.line > found.line)) found = item;
  }
  return found;
}

/** A JSON-array pair's keys as raw-file decorations (JSONL lines go through computeKeyDecorations). */
function pairDecorations(pair: PreferencePair, analysis: PairKeyAnalysis): KeyDecoration[] {
  return (['chosen', 'rejected'] as const).flatMap((side) => {
    const source = pair[side].source;
    if (!source) return [];
    // The same per-phrase cap as JSONL lines (displayLimits.ts): a record repeating one phrase stays cheap.
    return capOccurrences(analysis[side].keys).keys.map((k) => {
      const raw = source.toRaw(k.start, k.end);
      return {
        line: raw.line, start: raw.start, end: raw.end, side, shared: k.shared, phrase: k.phrase, score: k.score,
        rank: k.rank, pairLine: pair.line, degree: analysis.degree.data,
      };
    });
  });
}

export function fileLabel(document: vscode.TextDocument): string {
  return vscode.workspace.asRelativePath(document.uri, false);
}
