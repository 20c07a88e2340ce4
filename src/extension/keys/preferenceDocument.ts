// Tells preference files (JSONL / JSON arrays of prompt-chosen-rejected records) from other JSON,
// cheaply: only the first few non-blank lines are looked at, never the whole document.
import * as vscode from 'vscode';

export type PreferenceLayout = 'jsonl' | 'json';

/** Keys whose presence marks a record of one of the readable formats (TRL, HH, TL;DR, UltraFeedback). */
const PREFERENCE_KEY = /"(chosen|rejected|summaries|completions)"\s*:/;
const LINES_TO_SCAN = 20;
/** Only this much of a (possibly huge) first line is searched. */
const PREFIX_CHARS = 1 << 20;

/** The layout of a preference document, or undefined when the document does not look like preference data. */
export function preferenceLayout(document: vscode.TextDocument): PreferenceLayout | undefined {
  if (document.uri.scheme === 'output' || document.uri.scheme === 'vscode-settings') return undefined;
  const name = document.fileName.toLowerCase();
  const jsonl = name.endsWith('.jsonl') || document.languageId === 'jsonl';
  const json = !jsonl && (name.endsWith('.json') || document.languageId === 'json');
  if (!jsonl && !json) return undefined;
  let seen = 0;
  for (let i = 0; i < document.lineCount && seen < LINES_TO_SCAN; i++) {
    const text = document.lineAt(i).text.slice(0, PREFIX_CHARS).trim();
    if (!text) continue;
    seen++;
    if (jsonl) {
      // Any of the first records naming preference keys will do: a bad first line must not hide the file's problems.
      if (text.startsWith('{') && PREFERENCE_KEY.test(text)) return 'jsonl';
      continue;
    }
    if (seen === 1 && !text.startsWith('[')) return undefined;
    if (PREFERENCE_KEY.test(text)) return 'json';
  }
  return undefined;
}

/** True when the editor shows a preference document. */
export function isPreferenceDocument(document: vscode.TextDocument): boolean {
  return preferenceLayout(document) !== undefined;
}
