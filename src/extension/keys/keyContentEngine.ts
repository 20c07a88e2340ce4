// The extension's one entry to key-content analysis: the settings of each document, the extractor, the
// per-line cache, and the pair (with its analysis) at a line. Highlights, hovers, the pair view and the
// degree views share it, so they all parse a document the same way and under the same size cap.
import * as vscode from 'vscode';
import { PreferencePair, ReadIssue, isReadIssue, parsePreferenceLine } from '../../core/data';
import {
  Extractor, KeyDecoration, KeyDecorationCache, LineRange, PairKeyAnalysis, analyzePair, computeKeyDecorationsSliced,
  createExtractor,
} from '../../core/keys';
import { pairAtLine } from '../../core/runs/exampleDegrees';
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
/** Distinct JSONL line texts whose decorations are kept, per settings profile. */
const LINE_CACHE_SIZE = 4000;

/** What the settings of one workspace folder give: read once, until the settings change. */
interface SettingsProfile {
  settings: KeyContentSettings;
  extractor: Extractor;
  /** Per-line-text cache: equal JSONL lines (in any document of the folder) share their analysis. */
  lineCache: KeyDecorationCache;
}

export class KeyContentEngine {
  /**
   * By workspace folder ('' outside any): settings are read for the document (its folder's scope), so in a
   * multi-root workspace every feature parses a folder's files with the same `spo.data.format` and `spo.keys.*`.
   */
  private readonly profiles = new Map<string, SettingsProfile>();
  /** Per-record cache of JSON-array pairs' decorations, keyed by document, version and record line. */
  private readonly arrayCache = new Map<string, { version: number; byLine: Map<number, KeyDecoration[]> }>();

  constructor(private readonly output: vscode.LogOutputChannel, readonly jsonArrays: JsonArrayIndex) {}

  /** The key-content settings that apply to `resource` (a document's uri). */
  settingsFor(resource: vscode.Uri): KeyContentSettings {
    return this.profile(resource).settings;
  }

  /** The extractor the settings of `resource` name. */
  extractorFor(resource: vscode.Uri): Extractor {
    return this.profile(resource).extractor;
  }

  /** Drop every settings profile and what was computed with it (the settings changed). */
  reload(): void {
    this.profiles.clear();
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

  /** `decorations` in slices (slicedWork.ts): JSONL lines, and a JSON array's parse (its decorations are then one step, per visible record). */
  decorationsSliced(document: vscode.TextDocument, range: LineRange, onNote?: (line: number, note: string) => void): SlicedWork<KeyDecoration[]> {
    const layout = preferenceLayout(document);
    const { settings, extractor, lineCache } = this.profile(document.uri);
    if (layout === 'jsonl') {
      return computeKeyDecorationsSliced(
        { lineCount: document.lineCount, getLine: (i) => document.lineAt(i).text },
        range,
        { extractor, maxKeys: settings.maxKeys, format: settings.format, cache: lineCache, onNote },
      );
    }
    if (layout !== 'json') return oneStep(() => []);
    return this.arrayDecorationsSliced(document, settings.format, range);
  }

  private *arrayDecorationsSliced(document: vscode.TextDocument, format: KeyContentSettings['format'], range: LineRange): SlicedWork<KeyDecoration[]> {
    const parsed = yield* this.jsonArrays.getSliced(document, format);
    return parsed ? this.arrayDecorations(document, parsed, range) : [];
  }

  /** The record on the 1-based `line` and its key analysis. */
  pairAt(document: vscode.TextDocument, line: number): PairAtLine {
    const layout = preferenceLayout(document);
    const label = fileLabel(document);
    if (!layout) return { kind: 'none', reason: `${label} does not look like preference data (no chosen/rejected records in its first lines).` };
    if (line < 1 || line > document.lineCount) return { kind: 'none', reason: `Line ${line} is outside ${label}.` };
    const { settings, extractor } = this.profile(document.uri);
    let found: PreferencePair | ReadIssue | null | undefined;
    if (layout === 'jsonl') {
      found = parsePreferenceLine(document.lineAt(line - 1).text, line, settings.format);
    } else {
      const parsed = this.jsonArrays.get(document, settings.format);
      if (!parsed) return { kind: 'none', reason: `${label} is a JSON array over ${MAX_JSON_ARRAY_CHARS} characters; convert it to JSONL (spo convert) to browse it.` };
      found = recordAt(parsed, line);
    }
    if (!found) return { kind: 'none', reason: `Line ${line} of ${label} holds no record.` };
    if (isReadIssue(found)) return { kind: 'issue', issue: found };
    return { kind: 'pair', pair: found, analysis: analyzePair(found, extractor, settings.maxKeys) };
  }

  /** The 1-based line where the record after (step 1) or before (step −1) the one on `line` starts. */
  neighbourRecordLine(document: vscode.TextDocument, line: number, step: 1 | -1): number | undefined {
    if (preferenceLayout(document) === 'json') {
      const parsed = this.jsonArrays.get(document, this.settingsFor(document.uri).format);
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
    const { settings, extractor } = this.profile(document.uri);
    const out: KeyDecoration[] = [];
    for (const pair of parsed.pairs) {
      if (!inRange(pair.chosen.source?.line) && !inRange(pair.rejected.source?.line)) continue;
      let decorations = cache.byLine.get(pair.line);
      if (!decorations) {
        decorations = pairDecorations(pair, analyzePair(pair, extractor, settings.maxKeys));
        cache.byLine.set(pair.line, decorations);
      }
      out.push(...decorations.filter((d) => inRange(d.line)));
    }
    return out;
  }

  private profile(resource: vscode.Uri): SettingsProfile {
    const key = vscode.workspace.getWorkspaceFolder(resource)?.uri.toString() ?? '';
    let profile = this.profiles.get(key);
    if (!profile) {
      const settings = readKeyContentSettings(resource);
      profile = { settings, extractor: this.makeExtractor(settings.extractor), lineCache: new KeyDecorationCache(LINE_CACHE_SIZE) };
      this.profiles.set(key, profile);
    }
    return profile;
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
  return pairAtLine<PreferencePair | ReadIssue>([...parsed.pairs, ...parsed.issues], line) ?? undefined;
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
