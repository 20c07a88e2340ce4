// Bad records of preference files (ReadIssues) in the Problems panel, for the whole file: computed
// in chunks that yield to the event loop, restarted when the document changes, cleared on close.
import * as vscode from 'vscode';
import { ReadIssue, isReadIssue, parsePreferenceLine } from '../../core/data';
import { MAX_JSON_ARRAY_CHARS } from './jsonArrayIndex';
import { KeyContentEngine } from './keyContentEngine';
import { preferenceLayout } from './preferenceDocument';

const LINES_PER_CHUNK = 2000;
const DEBOUNCE_MS = 300;
export const DIAGNOSTIC_SOURCE = 'SPO';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function toDiagnostic(document: vscode.TextDocument, issue: ReadIssue): vscode.Diagnostic {
  const index = Math.min(Math.max(issue.line - 1, 0), Math.max(document.lineCount - 1, 0));
  const line = document.lineAt(index);
  const start = line.firstNonWhitespaceCharacterIndex;
  // Huge lines: underline the start only, so the squiggle is visible without scrolling sideways.
  const end = Math.min(line.text.length, start + 200);
  const diagnostic = new vscode.Diagnostic(new vscode.Range(index, start, index, Math.max(end, start + 1)), issue.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  return diagnostic;
}

export class ReadIssueDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('spo');
  /** Generation per document: a newer scan makes older ones stop at their next chunk. */
  private readonly generations = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Parses with the engine's settings and JSON-array index, so the Problems panel agrees with the highlights. */
  constructor(private readonly output: vscode.LogOutputChannel, private readonly engine: KeyContentEngine) {}

  /** Rescan `document` after the debounce delay (or clear it when it is no preference file). */
  schedule(document: vscode.TextDocument, delayMs = DEBOUNCE_MS): void {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.scan(document).catch((err) => this.output.error(`Diagnostics for ${document.uri.fsPath}: ${(err as Error).stack ?? err}`));
    }, delayMs));
  }

  clear(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.generations.delete(key);
    this.collection.delete(document.uri);
  }

  private async scan(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const generation = this.generations.get(key);
    const version = document.version;
    // Stale when the document closed, changed, or a newer scan was scheduled.
    const current = () => !document.isClosed && this.generations.get(key) === generation && document.version === version;
    const layout = preferenceLayout(document);
    if (!layout) {
      this.collection.delete(document.uri);
      return;
    }
    const format = this.engine.settingsFor(document.uri).format;
    const diagnostics: vscode.Diagnostic[] = [];
    if (layout === 'json') {
      const parsed = this.engine.jsonArrays.get(document, format);
      if (!parsed) {
        this.output.info(`${document.uri.fsPath}: JSON array over ${MAX_JSON_ARRAY_CHARS} characters; run 'spo inspect' for its problems.`);
        this.collection.delete(document.uri);
        return;
      }
      for (const issue of parsed.issues) diagnostics.push(toDiagnostic(document, issue));
    } else {
      for (let first = 0; first < document.lineCount; first += LINES_PER_CHUNK) {
        const last = Math.min(document.lineCount, first + LINES_PER_CHUNK);
        for (let i = first; i < last; i++) {
          const parsed = parsePreferenceLine(document.lineAt(i).text, i + 1, format);
          if (parsed && isReadIssue(parsed)) diagnostics.push(toDiagnostic(document, parsed));
        }
        await yieldToEventLoop();
        if (!current()) return;
      }
    }
    if (current()) this.collection.set(document.uri, diagnostics);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.generations.clear();
    this.collection.dispose();
  }
}
