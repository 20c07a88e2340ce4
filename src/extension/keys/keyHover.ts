// The one hover on preference files. On a highlighted key phrase: what it is (score, rank, side, shared
// or not); on any record: the pair's data degree and, after a finished run, its model and SPO degrees; and
// trusted command links (Open Pair View, Inspect Preference Degree, Copy phrase).
import * as vscode from 'vscode';
import { KeyDecoration } from '../../core/keys';
import { formatDegree, RunDegreeView } from '../../core/protocol';
import { CommandId } from '../commandIds';
import type { DegreeSource } from '../degrees/degreeSource';
import { KeyContentEngine } from './keyContentEngine';
import { codeSpan } from '../../core/keys/markdown';
import { runInHostSlices } from './hostSlices';
import { WorkCancelled } from '../../core/slicedWork';

/** Internal command behind the hover's "Copy phrase" link (not in the palette). */
export const COPY_KEY_PHRASE_COMMAND = 'spo.copyKeyPhrase';

function commandLink(label: string, command: string, args: unknown[], title: string): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify(args))} "${title}")`;
}

/** A run's degrees of the pair, each after a ` · `: model margin, P(chosen ≻ rejected), SPO E[c]; '' without a run. */
function runDegreeText(run: RunDegreeView | undefined): string {
  const parts: string[] = [];
  if (run?.model) parts.push(`model margin **${formatDegree(run.model.margin)}**, P(chosen ≻ rejected) **${run.model.prob.toFixed(2)}**`);
  if (run?.spo) parts.push(`SPO E[c] chosen ${run.spo.prefExpected.toFixed(2)} / rejected ${run.spo.disprefExpected.toFixed(2)}`);
  return parts.map((p) => ` · ${p}`).join('');
}

/** The hover text for one key decoration of `document`, with the run's degrees of its pair when there are some. */
export function keyHoverMarkdown(d: KeyDecoration, document: vscode.TextDocument, run?: RunDegreeView): vscode.MarkdownString {
  const other = d.side === 'chosen' ? 'rejected' : 'chosen';
  const uri = document.uri.toString();
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: [CommandId.OpenPairView, CommandId.InspectDegree, COPY_KEY_PHRASE_COMMAND] };
  md.appendMarkdown(`**SPO key content** · ${d.side} response\n\n`);
  md.appendMarkdown(`Phrase: ${codeSpan(d.phrase)}\n\nScore **${d.score.toFixed(2)}** · rank **${d.rank}** in the ${d.side} response\n\n`);
  md.appendMarkdown(d.shared
    ? `$(check) The ${other} response has this phrase too.\n\n`
    : `$(close) The ${other} response does not have this phrase.\n\n`);
  md.appendMarkdown(`Data degree of this pair: **${formatDegree(d.degree)}** (line ${d.pairLine})${runDegreeText(run)}\n\n`);
  md.appendMarkdown([
    commandLink('Open Pair View', CommandId.OpenPairView, [uri, d.pairLine], `Show the pair of line ${d.pairLine} side by side`),
    commandLink('Inspect Preference Degree', CommandId.InspectDegree, [d.pairLine, uri], `Preference degree of the pair on line ${d.pairLine}`),
    commandLink('Copy phrase', COPY_KEY_PHRASE_COMMAND, [d.phrase], 'Copy the key phrase to the clipboard'),
  ].join(' · '));
  return md;
}

/** The key decoration under `position`, if any (computed for that one line in slices, cached by the engine). */
export async function keyDecorationAt(
  engine: KeyContentEngine, document: vscode.TextDocument, position: vscode.Position, token?: vscode.CancellationToken,
): Promise<KeyDecoration | undefined> {
  if (!engine.settingsFor(document.uri).highlightsEnabled) return undefined;
  const found = await runInHostSlices(engine.decorationsSliced(document, { first: position.line, last: position.line }), {
    cancelled: () => token?.isCancellationRequested === true || document.isClosed,
  });
  return found.find((d) => d.line - 1 === position.line && d.start <= position.character && position.character < d.end);
}

/** The hover text of a record away from its key phrases: its degrees and a link to the degree view. */
export function degreeHoverMarkdown(document: vscode.TextDocument, pairLine: number, dataDegree: number, run?: RunDegreeView): vscode.MarkdownString {
  const link = commandLink('Inspect', CommandId.InspectDegree, [{ uri: document.uri.toString(), line: pairLine }], 'Open the degree view of this example');
  const md = new vscode.MarkdownString(`$(pulse) Preference degree: data degree **${formatDegree(dataDegree)}**${runDegreeText(run)} — ${link}`, true);
  md.isTrusted = { enabledCommands: [CommandId.InspectDegree] };
  return md;
}

export class PreferenceHoverProvider implements vscode.HoverProvider {
  constructor(private readonly engine: KeyContentEngine, private readonly degrees: DegreeSource) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const d = await keyDecorationAt(this.engine, document, position, token).catch((err: unknown) => {
      if (err instanceof WorkCancelled) return undefined;
      throw err;
    });
    if (d) {
      const run = await this.degrees.runDegrees(document.fileName, false);
      if (token.isCancellationRequested) return undefined;
      return new vscode.Hover(keyHoverMarkdown(d, document, run.records.get(d.pairLine)), new vscode.Range(d.line - 1, d.start, d.line - 1, d.end));
    }
    const found = this.engine.pairAt(document, position.line + 1);
    if (found.kind !== 'pair') return undefined;
    const run = await this.degrees.runDegrees(document.fileName, false);
    if (token.isCancellationRequested) return undefined;
    return new vscode.Hover(degreeHoverMarkdown(document, found.pair.line, found.analysis.degree.data, run.records.get(found.pair.line)));
  }
}
