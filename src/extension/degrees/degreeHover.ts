// Hover on preference files: one line with the degrees of the record under the mouse
// (data degree always; model margin, P(chosen ≻ rejected) and SPO E[c] after a finished run).
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { DegreeSource } from './degreeSource';

export function formatDegree(v: number): string {
  return (v >= 0 ? '+' : '') + v.toFixed(2);
}

export class DegreeHoverProvider implements vscode.HoverProvider {
  constructor(private readonly source: DegreeSource) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const view = await this.source.exampleView(document, position.line + 1, false);
    if (!view.data) return undefined;
    const parts = [`data degree **${formatDegree(view.data.degree)}**`];
    if (view.model) parts.push(`model margin **${formatDegree(view.model.margin)}**, P(chosen ≻ rejected) **${view.model.prob.toFixed(2)}**`);
    if (view.spo) parts.push(`SPO E[c] chosen ${view.spo.prefExpected.toFixed(2)} / rejected ${view.spo.disprefExpected.toFixed(2)}`);
    const args = encodeURIComponent(JSON.stringify([{ uri: document.uri.toString(), line: view.line }]));
    const md = new vscode.MarkdownString(`$(pulse) Preference degree: ${parts.join(' · ')} — [Inspect](command:${CommandId.InspectDegree}?${args} "Open the degree view of this example")`, true);
    md.isTrusted = { enabledCommands: [CommandId.InspectDegree] };
    return new vscode.Hover(md);
  }
}
