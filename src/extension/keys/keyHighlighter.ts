// Paints key content of chosen / rejected responses in visible preference editors, only for the
// visible lines (+ a margin), debounced, so a 200 MB file costs no more than the screen shows. The work
// runs in slices of a few ms (hostSlices.ts), so a multi-megabyte line never holds up the editor; a
// document change drops the work under way.
import * as vscode from 'vscode';
import { KeyDecoration } from '../../core/keys';
import { SlicedWork, WorkCancelled } from '../../core/slicedWork';
import { KeyContentEngine } from './keyContentEngine';
import { runInHostSlices } from './hostSlices';

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

type Note = { line: number; note: string };

/** The highlighting work under way for one editor. */
interface Job {
  /** The document version it computes for: a newer version cancels it. */
  version: number;
  cancelled: boolean;
  /** Asked for again while running (a scroll): run once more when done, from the cache. */
  again: boolean;
}

/** What highlighting has done so far (the e2e suite reads it through a test hook). */
export interface HighlightProgress {
  /** Editors whose highlights are being computed now. */
  running: number;
  /** Slices run since activation, and the longest one (items of work, ms). */
  slices: number;
  longestSliceItems: number;
  longestSliceMs: number;
  /** Jobs that finished, and jobs dropped because their document changed or closed. */
  finished: number;
  cancelled: number;
}

export class KeyHighlighter implements vscode.Disposable {
  private readonly styles = createStyles();
  private readonly noteStyle = createNoteStyle();
  private readonly notes = new Map<vscode.TextEditor, Note[]>();
  private readonly applied = new Map<vscode.TextEditor, AppliedKeyDecoration[]>();
  private readonly pending = new Set<vscode.TextEditor>();
  private readonly jobs = new Map<vscode.TextEditor, Job>();
  private readonly stats = { slices: 0, longestSliceItems: 0, longestSliceMs: 0, finished: 0, cancelled: 0 };
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly engine: KeyContentEngine, private readonly output: vscode.LogOutputChannel) {}

  /** Repaint `editor` (or every visible editor) after the debounce delay. */
  schedule(editor?: vscode.TextEditor): void {
    for (const e of editor ? [editor] : vscode.window.visibleTextEditors) this.pending.add(e);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** Repaint every pending editor now (the painting itself runs in slices). */
  flush(): void {
    this.timer = undefined;
    const editors = [...this.pending];
    this.pending.clear();
    const visible = new Set(vscode.window.visibleTextEditors);
    for (const editor of this.applied.keys()) if (!visible.has(editor)) this.applied.delete(editor);
    for (const editor of this.notes.keys()) if (!visible.has(editor)) this.notes.delete(editor);
    for (const [editor, job] of this.jobs) if (!visible.has(editor)) this.cancel(editor, job);
    for (const editor of editors) if (visible.has(editor)) this.start(editor);
  }

  /** The decorations last applied to `editor`. */
  appliedTo(editor: vscode.TextEditor): readonly AppliedKeyDecoration[] {
    return this.applied.get(editor) ?? [];
  }

  /** Notes of capped lines last shown in `editor` (1-based lines). */
  notesIn(editor: vscode.TextEditor): readonly Note[] {
    return this.notes.get(editor) ?? [];
  }

  get progress(): HighlightProgress {
    return { running: this.jobs.size, ...this.stats };
  }

  private start(editor: vscode.TextEditor): void {
    const document = editor.document;
    const running = this.jobs.get(editor);
    if (running && running.version === document.version) {
      running.again = true;
      return;
    }
    if (running) this.cancel(editor, running);
    if (!this.engine.settingsFor(document.uri).highlightsEnabled) {
      this.apply(editor, [], []);
      return;
    }
    const job: Job = { version: document.version, cancelled: false, again: false };
    this.jobs.set(editor, job);
    const notes: Note[] = [];
    runInHostSlices(this.compute(editor, notes), {
      cancelled: () => job.cancelled || this.disposed || document.isClosed || document.version !== job.version,
      onSlice: (items, ms) => {
        this.stats.slices++;
        this.stats.longestSliceItems = Math.max(this.stats.longestSliceItems, items);
        this.stats.longestSliceMs = Math.max(this.stats.longestSliceMs, ms);
      },
    }).then((decorations) => {
      if (this.jobs.get(editor) !== job) return;
      this.jobs.delete(editor);
      this.stats.finished++;
      this.apply(editor, decorations, notes);
      if (job.again) this.schedule(editor);
    }, (err: unknown) => {
      if (this.jobs.get(editor) === job) this.jobs.delete(editor);
      if (err instanceof WorkCancelled) {
        this.stats.cancelled++;
        return;
      }
      // A highlight bug must never take the editor down; it is logged and the screen stays plain.
      this.output.error(`Key highlights for ${document.uri.fsPath}: ${(err as Error).stack ?? err}`);
      if (!this.disposed) this.apply(editor, [], []);
    });
  }

  private cancel(editor: vscode.TextEditor, job: Job): void {
    job.cancelled = true;
    if (this.jobs.get(editor) === job) this.jobs.delete(editor);
  }

  private apply(editor: vscode.TextEditor, decorations: readonly KeyDecoration[], notes: readonly Note[]): void {
    if (this.disposed) return;
    const document = editor.document;
    editor.setDecorations(this.noteStyle, notes.filter(({ line }) => line <= document.lineCount).map(({ line, note }) => {
      const end = document.lineAt(line - 1).range.end;
      return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: `SPO: ${note}` } } };
    }));
    if (notes.length > 0) this.notes.set(editor, [...notes]);
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

  /** The decorations of the visible ranges (+ margin) of `editor`, as they were when the work started. */
  private *compute(editor: vscode.TextEditor, notes: Note[]): SlicedWork<KeyDecoration[]> {
    const out: KeyDecoration[] = [];
    const document = editor.document;
    let next = 0;
    for (const visible of byStartLine(editor.visibleRanges)) {
      const first = Math.max(next, visible.start.line - MARGIN_LINES);
      const last = Math.min(document.lineCount - 1, visible.end.line + MARGIN_LINES);
      if (last >= first) {
        const found = yield* this.engine.decorationsSliced(document, { first, last }, (line, note) => notes.push({ line, note }));
        for (const d of found) out.push(d);
      }
      next = last + 1;
    }
    return out;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const job of this.jobs.values()) job.cancelled = true;
    this.jobs.clear();
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
