// The Pair View panel host: one webview panel showing the pair at the editor cursor side by side,
// created once and re-shown (createOrShow), revived after a reload (revive), following the cursor while open.
import * as vscode from 'vscode';
import {
  PairViewHostMessage, PairViewPersistedState, PairViewRenderedState, PairViewSource, isPairViewWebviewMessage,
  PairViewWebviewMessage,
} from '../../core/protocol';
import { KeyContentEngine, fileLabel } from '../keys/keyContentEngine';
import { preferenceLayout } from '../keys/preferenceDocument';
import { WebviewPanelHost, WebviewPanelHostOptions } from '../webview/webviewPanelHost';
import { pairViewPair } from './pairViewContent';

const FOLLOW_DEBOUNCE_MS = 100;

/** What the panel shows: a 1-based line of a document. */
interface ShownLine {
  uri: vscode.Uri;
  line: number;
}

/** One Pair View for the window (activation scope); at most one panel open, which it creates and re-shows. */
export class PairViewPanel implements vscode.Disposable {
  static readonly viewType = 'spo.pairView';

  private host: WebviewPanelHost<PairViewWebviewMessage, PairViewHostMessage> | undefined;
  private shown: ShownLine | undefined;
  private rendered: PairViewRenderedState | undefined;
  private followTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: KeyContentEngine,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** The state the webview last reported after rendering (test hook). */
  get renderedState(): PairViewRenderedState | undefined {
    return this.rendered;
  }

  /** Show the panel (creating it beside the editor if needed) with the pair on `line` (1-based) of `uri`. */
  async createOrShow(uri: vscode.Uri, line: number): Promise<void> {
    if (this.host) {
      this.host.panel.reveal(this.host.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    } else {
      this.attach(WebviewPanelHost.create(PairViewPanel.viewType, 'SPO Pair View',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.hostOptions()));
    }
    await this.show(uri, line);
  }

  /** Re-adopt a panel VS Code restored after a reload, with the source its webview persisted. */
  async revive(panel: vscode.WebviewPanel, state: PairViewPersistedState | undefined): Promise<void> {
    this.host?.dispose();
    this.attach(new WebviewPanelHost(panel, this.hostOptions()));
    const waiting = 'Place the cursor on a record of a preference file to see its pair.';
    if (!state?.source) return this.post({ type: 'showMessage', message: waiting });
    try {
      await this.show(vscode.Uri.parse(state.source.uri), state.source.line);
    } catch (err) {
      // The file may be gone since the window closed: say so instead of leaving the panel blank.
      this.post({ type: 'showMessage', message: `${state.source.fileName} cannot be opened (${(err as Error).message}). ${waiting}` });
    }
  }

  /** Redraw what is shown (settings or the document changed). */
  async refresh(): Promise<void> {
    if (this.host && this.shown) await this.show(this.shown.uri, this.shown.line);
  }

  private hostOptions(): WebviewPanelHostOptions<PairViewWebviewMessage> {
    return {
      extensionUri: this.extensionUri,
      page: {
        title: 'SPO Pair View', script: 'dist/webview/pairView.js', styles: ['media/pairView.css'],
        body: '<main id="root"><p class="message">Loading…</p></main>',
      },
      isCommand: isPairViewWebviewMessage,
      onCommand: (message) => this.receive(message),
      onDispose: () => this.detach(),
      label: 'Pair View',
      output: this.output,
    };
  }

  /** Adopt an open panel: it follows the cursor and its document for as long as it is open. */
  private attach(host: WebviewPanelHost<PairViewWebviewMessage, PairViewHostMessage>): void {
    this.host = host;
    this.rendered = undefined;
    host.own(
      vscode.window.onDidChangeTextEditorSelection((e) => this.follow(e.textEditor)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown && e.document.uri.toString() === this.shown.uri.toString()) this.scheduleFollow(() => this.refresh());
      }),
    );
  }

  private detach(): void {
    if (this.followTimer) clearTimeout(this.followTimer);
    this.followTimer = undefined;
    this.host = undefined;
    this.shown = undefined;
    this.rendered = undefined;
  }

  private async receive(message: PairViewWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return; // the host re-sends what the panel shows
      case 'rendered':
        this.rendered = message.state;
        return;
      case 'navigate':
        return this.navigate(message.direction === 'next' ? 1 : -1);
      case 'goToLine':
        return this.goToLine(message.line);
    }
  }

  private follow(editor: vscode.TextEditor): void {
    if (!this.host || !preferenceLayout(editor.document)) return;
    const line = editor.selection.active.line + 1;
    const uri = editor.document.uri;
    if (this.shown && this.shown.line === line && this.shown.uri.toString() === uri.toString()) return;
    this.scheduleFollow(() => this.show(uri, line));
  }

  private scheduleFollow(action: () => Promise<void>): void {
    if (this.followTimer) clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      action().catch((err) => this.output.error(`Pair View: ${(err as Error).stack ?? err}`));
    }, FOLLOW_DEBOUNCE_MS);
  }

  private async show(uri: vscode.Uri, line: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    const clamped = Math.min(Math.max(1, line), Math.max(1, document.lineCount));
    this.shown = { uri, line: clamped };
    const source: PairViewSource = { uri: uri.toString(), fileName: fileLabel(document), line: clamped, lineCount: document.lineCount };
    const found = this.engine.pairAt(document, clamped);
    if (this.host) this.host.panel.title = `Pair View · ${fileLabel(document).split('/').pop()}:${clamped}`;
    if (found.kind === 'pair') {
      this.post({ type: 'showPair', source, pair: pairViewPair(found.pair, found.analysis, this.engine.extractorFor(document.uri).name) });
    } else if (found.kind === 'issue') {
      this.post({ type: 'showMessage', source, message: `Line ${found.issue.line} of ${source.fileName} is not a valid record: ${found.issue.message}` });
    } else {
      this.post({ type: 'showMessage', source, message: found.reason });
    }
  }

  private post(message: PairViewHostMessage): void {
    this.host?.show(message);
  }

  private async navigate(step: 1 | -1): Promise<void> {
    if (!this.shown) return;
    const document = await vscode.workspace.openTextDocument(this.shown.uri);
    const line = this.engine.neighbourRecordLine(document, this.shown.line, step);
    if (line !== undefined) await this.show(document.uri, line);
  }

  /** Reveal `line` (1-based) of the shown document in an editor, keeping the panel where it is. */
  private async goToLine(line: number): Promise<void> {
    if (!this.shown) return;
    const uri = this.shown.uri;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const editor = await vscode.window.showTextDocument(visible?.document ?? await vscode.workspace.openTextDocument(uri),
      { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    this.host?.dispose();
    this.detach();
  }
}
