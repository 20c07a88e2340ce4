// The pairs and bad records of JSON-array preference documents, parsed once per document version:
// an array's records may span lines, so visible lines cannot be parsed alone as JSONL lines can.
import * as vscode from 'vscode';
import { PreferenceFormat, PreferencePair, ReadIssue, parsePreferenceTextSliced } from '../../core/data';
import { runToEnd, SlicedWork } from '../../core/slicedWork';

/** The whole array is held as pairs in memory: past this size it is left to `spo inspect` / `spo convert` on the CLI. */
export const MAX_JSON_ARRAY_CHARS = 16 * 1024 * 1024;

export interface ParsedJsonArray {
  pairs: PreferencePair[];
  issues: ReadIssue[];
}

interface Entry extends ParsedJsonArray {
  version: number;
  format: PreferenceFormat | undefined;
}

export class JsonArrayIndex {
  private readonly entries = new Map<string, Entry>();

  /** The document's pairs and issues, or undefined when it is over MAX_JSON_ARRAY_CHARS. Parses now if not cached. */
  get(document: vscode.TextDocument, format: PreferenceFormat | undefined): ParsedJsonArray | undefined {
    return runToEnd(this.getSliced(document, format));
  }

  /** `get` as sliced work: the decorations run it in host slices, so opening a large array never blocks the editor. */
  *getSliced(document: vscode.TextDocument, format: PreferenceFormat | undefined): SlicedWork<ParsedJsonArray | undefined> {
    const key = document.uri.toString();
    const cached = this.entries.get(key);
    if (cached && cached.version === document.version && cached.format === format) return cached;
    const version = document.version;
    const text = document.getText();
    if (text.length > MAX_JSON_ARRAY_CHARS) return undefined;
    const { pairs, issues } = yield* parsePreferenceTextSliced(text, { format });
    const entry = { version, format, pairs, issues };
    this.entries.set(key, entry);
    return entry;
  }

  forget(document: vscode.TextDocument): void {
    this.entries.delete(document.uri.toString());
  }

  clear(): void {
    this.entries.clear();
  }
}
