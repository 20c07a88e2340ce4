// Degree panels: "Inspect Preference Degree" (one example) and "Dataset Preference Degrees" (histogram +
// hardest-first table). One panel per mode, created once and re-shown; rows reveal their line in the editor.
import * as path from 'path';
import * as vscode from 'vscode';
import type { DegreesCommand, DegreesNotification } from '../../core/protocol';
import { webviewHtml, webviewOptions } from '../curves/webviewHtml';
import { isDegreesCommand } from '../../core/protocol/webviewGuards';

export type DegreeMode = 'example' | 'dataset';

/** Activation-scoped registry of the open panels and what they last drew (test hook). */
export interface DegreePanelsContext {
  extensionUri: vscode.Uri;
  panels: Map<DegreeMode, DegreePanel>;
  lastRendered: Extract<DegreesCommand, { type: 'rendered' }> | null;
}

export class DegreePanel {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pending: DegreesNotification | null = null;
  private dataFile: string | null = null;

  static show(ctx: DegreePanelsContext, mode: DegreeMode, message: DegreesNotification, dataFile: string): DegreePanel {
    let panel = ctx.panels.get(mode);
    if (!panel) {
      const title = mode === 'example' ? 'Preference Degree' : 'Dataset Preference Degrees';
      const column = mode === 'example' ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      const webviewPanel = vscode.window.createWebviewPanel(`spo.degrees.${mode}`, title, { viewColumn: column, preserveFocus: mode === 'example' }, webviewOptions(ctx.extensionUri));
      panel = new DegreePanel(ctx, mode, webviewPanel);
    } else {
      panel.panel.reveal(undefined, mode === 'example');
    }
    panel.update(message, dataFile);
    return panel;
  }

  private constructor(private readonly ctx: DegreePanelsContext, private readonly mode: DegreeMode, readonly panel: vscode.WebviewPanel) {
    ctx.panels.set(mode, this);
    panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, {
      title: panel.title,
      script: 'dist/webview/degrees.js',
      styles: ['media/degrees.css'],
      body: '<div id="app"></div>',
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isDegreesCommand(m)) void this.onCommand(m);
      }),
    );
  }

  update(message: DegreesNotification, dataFile: string): void {
    this.dataFile = dataFile;
    this.panel.title = this.mode === 'example'
      ? `Degree: ${path.basename(dataFile)}:${message.type === 'example' ? message.view.line : ''}`
      : `Degrees: ${path.basename(dataFile)}`;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending = message;
  }

  dispose(): void {
    if (this.ctx.panels.get(this.mode) === this) this.ctx.panels.delete(this.mode);
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private async onCommand(message: DegreesCommand): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.pending) void this.panel.webview.postMessage(this.pending);
        this.pending = null;
        break;
      case 'reveal': {
        if (!this.dataFile) return;
        const document = await vscode.workspace.openTextDocument(vscode.Uri.file(this.dataFile));
        const position = new vscode.Position(Math.max(0, message.line - 1), 0);
        const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
        editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        break;
      }
      case 'rendered':
        this.ctx.lastRendered = message;
        break;
    }
  }
}
