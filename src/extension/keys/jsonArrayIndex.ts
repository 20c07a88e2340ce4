// The pairs and bad records of JSON-array preference documents, parsed once per document version:
// an array's records may span lines, so visible lines cannot be parsed alone as JSONL lines can.
import * as vscode from 'vscode';
import { PreferenceFormat, PreferencePair, ReadIssue, parsePreferenceText } from '../../core/data';

/** Parsing is synchronous; past this size a JSON array is left to `spo inspect` on the CLI. */
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

  /** The document's pairs and issues, or undefined when it is too large to parse in one piece. */
  get(document: vscode.TextDocument, format: PreferenceFormat | undefined): ParsedJsonArray | undefined {
    const key = document.uri.toString();
    const cached = this.entries.get(key);
    if (cached && cached.version === document.version && cached.format === format) return cached;
    const text = document.getText();
    if (text.length > MAX_JSON_ARRAY_CHARS) return undefined;
    const { pairs, issues } = parsePreferenceText(text, { format });
    const entry = { version: document.version, format, pairs, issues };
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
