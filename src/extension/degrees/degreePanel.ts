// Degree panels: "Inspect Preference Degree" (one example) and "Dataset Preference Degrees" (histogram +
// hardest-first table). One panel per mode, created once and re-shown; rows reveal their line in the editor.
import * as path from 'path';
import * as vscode from 'vscode';
import type { DegreesCommand, DegreesNotification } from '../../core/protocol';
import { WebviewPanelHost } from '../webview/webviewPanelHost';
import { isDegreesCommand } from '../../core/protocol/webviewGuards';

export type DegreeMode = 'example' | 'dataset';

/** Activation-scoped registry of the open panels and what they last drew (test hook). */
export interface DegreePanelsContext {
  extensionUri: vscode.Uri;
  panels: Map<DegreeMode, DegreePanel>;
  lastRendered: Extract<DegreesCommand, { type: 'rendered' }> | null;
}

export class DegreePanel {
  private readonly host: WebviewPanelHost<DegreesCommand, DegreesNotification>;
  private dataFile: string | null = null;

  static show(ctx: DegreePanelsContext, mode: DegreeMode, message: DegreesNotification, dataFile: string): DegreePanel {
    let panel = ctx.panels.get(mode);
    if (!panel) {
      const title = mode === 'example' ? 'Preference Degree' : 'Dataset Preference Degrees';
      const column = mode === 'example' ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      panel = new DegreePanel(ctx, mode, title, { viewColumn: column, preserveFocus: mode === 'example' });
    } else {
      panel.panel.reveal(undefined, mode === 'example');
    }
    panel.update(message, dataFile);
    return panel;
  }

  private constructor(private readonly ctx: DegreePanelsContext, private readonly mode: DegreeMode, title: string, show: { viewColumn: vscode.ViewColumn; preserveFocus: boolean }) {
    ctx.panels.set(mode, this);
    this.host = WebviewPanelHost.create(`spo.degrees.${mode}`, title, show, {
      extensionUri: ctx.extensionUri,
      page: { title, script: 'dist/webview/degrees.js', styles: ['media/degrees.css'], body: '<div id="app"></div>' },
      isCommand: isDegreesCommand,
      onCommand: (m) => this.onCommand(m),
      onDispose: () => this.dispose(),
      label: title,
    });
  }

  get panel(): vscode.WebviewPanel {
    return this.host.panel;
  }

  update(message: DegreesNotification, dataFile: string): void {
    this.dataFile = dataFile;
    this.panel.title = this.mode === 'example'
      ? `Degree: ${path.basename(dataFile)}:${message.type === 'example' ? message.view.line : ''}`
      : `Degrees: ${path.basename(dataFile)}`;
    this.host.show(message); // also re-sent when the webview reloads (a hidden panel is reloaded when shown)
  }

  dispose(): void {
    if (this.ctx.panels.get(this.mode) === this) this.ctx.panels.delete(this.mode);
    this.host.dispose();
  }

  private async onCommand(message: DegreesCommand): Promise<void> {
    switch (message.type) {
      case 'ready':
        break; // the host sends what the panel shows
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
