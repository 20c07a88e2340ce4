// The part every webview panel of ours shares (Training Curves, Pair View, the degree views): the HTML
// shell (strict CSP, nonce, local resources only), each webview message type-checked before a handler
// sees it, typed posts, the view re-sent when the webview (re)loads, and listeners that go with the panel.
import * as vscode from 'vscode';
import { WebviewPage, webviewHtml, webviewOptions } from './webviewHtml';

export interface WebviewPanelHostOptions<Command> {
  extensionUri: vscode.Uri;
  page: WebviewPage;
  /** The runtime check of webview → host messages (src/core/protocol/webviewGuards.ts). */
  isCommand: (message: unknown) => message is Command;
  /** Handles a checked message; a thrown error or rejection is logged, never left unhandled. */
  onCommand: (message: Command) => void | Promise<void>;
  /** Runs once when the panel closes (by the user or by dispose()), before its listeners are disposed. */
  onDispose?: () => void;
  /** The panel's name in log lines, e.g. `Training Curves`. */
  label: string;
  /** Where malformed messages and handler errors are logged (the console when absent). */
  output?: vscode.LogOutputChannel;
}

/** One open webview panel: create() for a new one, the constructor for one VS Code restored after a reload. */
export class WebviewPanelHost<Command extends { type: string }, Notification> implements vscode.Disposable {
  private readonly listeners: vscode.Disposable[] = [];
  private disposed = false;
  /** The webview has said `ready` since it last loaded: posts reach it. */
  private ready = false;
  /** What the panel shows now (show()): re-sent whenever the webview (re)loads. */
  private view: Notification | undefined;

  constructor(readonly panel: vscode.WebviewPanel, private readonly o: WebviewPanelHostOptions<Command>) {
    // A restored panel comes with the options it was saved with: ours are set again before any content.
    panel.webview.options = webviewOptions(o.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, o.extensionUri, o.page);
    this.listeners.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
  }

  /** A new panel in `show` with our webview options (scripts on, resources from dist/ and media/ only). */
  static create<C extends { type: string }, N>(
    viewType: string, title: string, show: vscode.ViewColumn | { viewColumn: vscode.ViewColumn; preserveFocus?: boolean },
    o: WebviewPanelHostOptions<C>,
  ): WebviewPanelHost<C, N> {
    return new WebviewPanelHost<C, N>(vscode.window.createWebviewPanel(viewType, title, show, webviewOptions(o.extensionUri)), o);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Send a message now (one the webview draws incrementally: lost if the webview is not loaded). */
  post(message: Notification): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  /**
   * Set what the panel shows: sent at once when the webview listens, and again each time it reloads (a hidden
   * panel's webview is discarded and reloaded when shown again, and says `ready` anew).
   */
  show(message: Notification): void {
    this.view = message;
    if (this.ready) this.post(message);
  }

  /** The message last given to show(). */
  get shown(): Notification | undefined {
    return this.view;
  }

  /** Listeners that live exactly as long as the panel. */
  own(...disposables: vscode.Disposable[]): void {
    if (this.disposed) disposables.forEach((d) => d.dispose());
    else this.listeners.push(...disposables);
  }

  /** Close the panel (if still open) and drop its listeners; safe to call more than once. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.o.onDispose?.();
    } finally {
      while (this.listeners.length) this.listeners.pop()?.dispose();
      this.panel.dispose();
    }
  }

  private receive(message: unknown): void {
    if (!this.o.isCommand(message)) {
      this.log('warn', `${this.o.label}: ignored a malformed webview message ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      if (this.view !== undefined) this.post(this.view);
    }
    try {
      const handled = this.o.onCommand(message);
      if (handled) handled.catch((err: unknown) => this.fail(message.type, err));
    } catch (err) {
      this.fail(message.type, err);
    }
  }

  private fail(type: string, err: unknown): void {
    this.log('error', `${this.o.label} (${type}): ${(err as Error)?.stack ?? String(err)}`);
  }

  private log(level: 'warn' | 'error', line: string): void {
    if (this.o.output) this.o.output[level](line);
    else console[level](line);
  }
}
