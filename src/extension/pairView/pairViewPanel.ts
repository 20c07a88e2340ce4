// The Pair View panel host: one webview panel showing the pair at the editor cursor side by side,
// created once and re-shown (createOrShow), revived after a reload (revive), following the cursor.
import * as vscode from 'vscode';
import {
  PairViewHostMessage, PairViewPersistedState, PairViewRenderedState, PairViewSource, isPairViewWebviewMessage,
  PairViewWebviewMessage,
} from '../../core/protocol';
import { KeyContentEngine, fileLabel } from '../keys/keyContentEngine';
import { preferenceLayout } from '../keys/preferenceDocument';
import { webviewHtml, webviewOptions } from '../curves/webviewHtml';
import { pairViewPair } from './pairViewContent';

const FOLLOW_DEBOUNCE_MS = 100;

/** What the panel shows: a 1-based line of a document. */
interface ShownLine {
  uri: vscode.Uri;
  line: number;
}

export class PairViewPanel implements vscode.Disposable {
  static readonly viewType = 'spo.pairView';

  private panel: vscode.WebviewPanel | undefined;
  private panelListeners: vscode.Disposable[] = [];
  private shown: ShownLine | undefined;
  private lastMessage: PairViewHostMessage | undefined;
  private rendered: PairViewRenderedState | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: KeyContentEngine,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.listeners = [
      vscode.window.onDidChangeTextEditorSelection((e) => this.follow(e.textEditor)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown && e.document.uri.toString() === this.shown.uri.toString()) this.scheduleFollow(() => this.refresh());
      }),
    ];
  }

  /** The state the webview last reported after rendering (test hook). */
  get renderedState(): PairViewRenderedState | undefined {
    return this.rendered;
  }

  /** Show the panel (creating it beside the editor if needed) with the pair on `line` (1-based) of `uri`. */
  async createOrShow(uri: vscode.Uri, line: number): Promise<void> {
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(PairViewPanel.viewType, 'SPO Pair View',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        webviewOptions(this.extensionUri));
      this.attach(panel);
    }
    await this.show(uri, line);
  }

  /** Re-adopt a panel VS Code restored after a reload, with the source its webview persisted. */
  async revive(panel: vscode.WebviewPanel, state: PairViewPersistedState | undefined): Promise<void> {
    this.panel?.dispose();
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attach(panel);
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
    if (this.panel && this.shown) await this.show(this.shown.uri, this.shown.line);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.rendered = undefined;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, {
      title: 'SPO Pair View', script: 'dist/webview/pairView.js', styles: ['media/pairView.css'],
      body: '<main id="root"><p class="message">Loading…</p></main>',
    });
    this.panelListeners = [
      panel.onDidDispose(() => this.detach()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (!isPairViewWebviewMessage(message)) return;
        this.receive(message).catch((err) => this.output.error(`Pair View (${message.type}): ${(err as Error).stack ?? err}`));
      }),
    ];
  }

  private detach(): void {
    for (const d of this.panelListeners) d.dispose();
    this.panelListeners = [];
    this.panel = undefined;
    this.shown = undefined;
    this.lastMessage = undefined;
    this.rendered = undefined;
  }

  private async receive(message: PairViewWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.lastMessage) this.post(this.lastMessage);
        return;
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
    if (!this.panel || !preferenceLayout(editor.document)) return;
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
    if (this.panel) this.panel.title = `Pair View · ${fileLabel(document).split('/').pop()}:${clamped}`;
    if (found.kind === 'pair') {
      this.post({ type: 'showPair', source, pair: pairViewPair(found.pair, found.analysis, this.engine.extractorFor(document.uri).name) });
    } else if (found.kind === 'issue') {
      this.post({ type: 'showMessage', source, message: `Line ${found.issue.line} of ${source.fileName} is not a valid record: ${found.issue.message}` });
    } else {
      this.post({ type: 'showMessage', source, message: found.reason });
    }
  }

  private post(message: PairViewHostMessage): void {
    this.lastMessage = message;
    void this.panel?.webview.postMessage(message);
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
    if (this.followTimer) clearTimeout(this.followTimer);
    this.panel?.dispose();
    this.detach();
    for (const d of this.listeners) d.dispose();
  }
}
