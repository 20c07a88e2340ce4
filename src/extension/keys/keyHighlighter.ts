// Paints key content of chosen / rejected responses in visible preference editors, only for the
// visible lines (+ a margin), debounced, so a 200 MB file costs no more than the screen shows.
import * as vscode from 'vscode';
import { KeyDecoration } from '../../core/keys';
import { KeyContentEngine } from './keyContentEngine';

/** Lines painted above and below the visible ranges, so small scrolls show highlights at once. */
const MARGIN_LINES = 20;
const DEBOUNCE_MS = 100;

type Style = 'chosen' | 'rejected' | 'chosenShared' | 'rejectedShared';

/** A decoration as applied to an editor (what the test hook reports). */
export interface AppliedKeyDecoration extends KeyDecoration {
  range: vscode.Range;
}

function createStyles(): Record<Style, vscode.TextEditorDecorationType> {
  const chosen = new vscode.ThemeColor('spo.chosenKeyBackground');
  const rejected = new vscode.ThemeColor('spo.rejectedKeyBackground');
  const border = new vscode.ThemeColor('spo.sharedKeyBorder');
  const shared: vscode.DecorationRenderOptions = { borderWidth: '1px', borderStyle: 'solid', borderColor: border, borderRadius: '2px' };
  const make = (options: vscode.DecorationRenderOptions) => vscode.window.createTextEditorDecorationType({
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed, ...options,
  });
  return {
    chosen: make({ backgroundColor: chosen, overviewRulerColor: chosen, overviewRulerLane: vscode.OverviewRulerLane.Left }),
    rejected: make({ backgroundColor: rejected, overviewRulerColor: rejected, overviewRulerLane: vscode.OverviewRulerLane.Right }),
    chosenShared: make({ backgroundColor: chosen, ...shared }),
    rejectedShared: make({ backgroundColor: rejected, ...shared }),
  };
}

function styleOf(d: KeyDecoration): Style {
  return d.side === 'chosen' ? (d.shared ? 'chosenShared' : 'chosen') : (d.shared ? 'rejectedShared' : 'rejected');
}

/** Where a line's highlights were capped: a dim note after the line's end, so the user knows some are missing. */
function createNoteStyle(): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({ after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em' } });
}

export class KeyHighlighter implements vscode.Disposable {
  private readonly styles = createStyles();
  private readonly noteStyle = createNoteStyle();
  private readonly notes = new Map<vscode.TextEditor, Array<{ line: number; note: string }>>();
  private readonly applied = new Map<vscode.TextEditor, AppliedKeyDecoration[]>();
  private readonly pending = new Set<vscode.TextEditor>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly engine: KeyContentEngine, private readonly output: vscode.LogOutputChannel) {}

  /** Repaint `editor` (or every visible editor) after the debounce delay. */
  schedule(editor?: vscode.TextEditor): void {
    for (const e of editor ? [editor] : vscode.window.visibleTextEditors) this.pending.add(e);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** Repaint every pending editor now. */
  flush(): void {
    this.timer = undefined;
    const editors = [...this.pending];
    this.pending.clear();
    const visible = new Set(vscode.window.visibleTextEditors);
    for (const editor of this.applied.keys()) if (!visible.has(editor)) this.applied.delete(editor);
    for (const editor of editors) if (visible.has(editor)) this.paint(editor);
  }

  /** The decorations last applied to `editor`. */
  appliedTo(editor: vscode.TextEditor): readonly AppliedKeyDecoration[] {
    return this.applied.get(editor) ?? [];
  }

  /** Notes of capped lines last shown in `editor` (1-based lines). */
  notesIn(editor: vscode.TextEditor): ReadonlyArray<{ line: number; note: string }> {
    return this.notes.get(editor) ?? [];
  }

  private paint(editor: vscode.TextEditor): void {
    const notes: Array<{ line: number; note: string }> = [];
    const decorations = this.engine.settingsFor(editor.document.uri).highlightsEnabled ? this.compute(editor, notes) : [];
    editor.setDecorations(this.noteStyle, notes.map(({ line, note }) => {
      const end = editor.document.lineAt(line - 1).range.end;
      return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: `SPO: ${note}` } } };
    }));
    if (notes.length > 0) this.notes.set(editor, notes);
    else this.notes.delete(editor);
    const byStyle: Record<Style, vscode.Range[]> = { chosen: [], rejected: [], chosenShared: [], rejectedShared: [] };
    const applied: AppliedKeyDecoration[] = [];
    for (const d of decorations) {
      const range = new vscode.Range(d.line - 1, d.start, d.line - 1, d.end);
      byStyle[styleOf(d)].push(range);
      applied.push({ ...d, range });
    }
    for (const style of Object.keys(byStyle) as Style[]) editor.setDecorations(this.styles[style], byStyle[style]);
    if (applied.length > 0) this.applied.set(editor, applied);
    else this.applied.delete(editor);
  }

  private compute(editor: vscode.TextEditor, notes: Array<{ line: number; note: string }>): KeyDecoration[] {
    const out: KeyDecoration[] = [];
    const document = editor.document;
    let next = 0;
    try {
      for (const visible of byStartLine(editor.visibleRanges)) {
        const first = Math.max(next, visible.start.line - MARGIN_LINES);
        const last = Math.min(document.lineCount - 1, visible.end.line + MARGIN_LINES);
        if (last >= first) out.push(...this.engine.decorations(document, { first, last }, (line, note) => notes.push({ line, note })));
        next = last + 1;
      }
    } catch (err) {
      // A highlight bug must never take the editor down; it is logged and the screen stays plain.
      this.output.error(`Key highlights for ${document.uri.fsPath}: ${(err as Error).stack ?? err}`);
      return [];
    }
    return out;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const style of Object.values(this.styles)) style.dispose();
    this.noteStyle.dispose();
    this.notes.clear();
    this.applied.clear();
    this.pending.clear();
  }
}

function byStartLine(ranges: readonly vscode.Range[]): vscode.Range[] {
  return [...ranges].sort((a, b) => a.start.line - b.start.line);
}
