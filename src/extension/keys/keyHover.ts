// Hover over a highlighted key phrase: what it is (score, rank, side, shared or not), the pair's
// data degree, and trusted command links (Open Pair View, Inspect Preference Degree, Copy phrase).
import * as vscode from 'vscode';
import { KeyDecoration } from '../../core/keys';
import { CommandId } from '../commandIds';
import { KeyContentEngine } from './keyContentEngine';
import { codeSpan } from '../../core/keys/markdown';
import { runInHostSlices } from './hostSlices';
import { WorkCancelled } from '../../core/slicedWork';

/** Internal command behind the hover's "Copy phrase" link (not in the palette). */
export const COPY_KEY_PHRASE_COMMAND = 'spo.copyKeyPhrase';

function commandLink(label: string, command: string, args: unknown[], title: string): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify(args))} "${title}")`;
}

/** Markdown inline code that survives backticks inside the phrase. */

function formatDegree(value: number): string {
  return `${value > 0 ? '+' : ''}${value.toFixed(3)}`;
}

/** The hover text for one key decoration of `document`. */
export function keyHoverMarkdown(d: KeyDecoration, document: vscode.TextDocument): vscode.MarkdownString {
  const other = d.side === 'chosen' ? 'rejected' : 'chosen';
  const uri = document.uri.toString();
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: [CommandId.OpenPairView, CommandId.InspectDegree, COPY_KEY_PHRASE_COMMAND] };
  md.appendMarkdown(`**SPO key content** · ${d.side} response\n\n`);
  md.appendMarkdown(`Phrase: ${codeSpan(d.phrase)}\n\nScore **${d.score.toFixed(2)}** · rank **${d.rank}** in the ${d.side} response\n\n`);
  md.appendMarkdown(d.shared
    ? `$(check) The ${other} response has this phrase too.\n\n`
    : `$(close) The ${other} response does not have this phrase.\n\n`);
  md.appendMarkdown(`Data degree of this pair: **${formatDegree(d.degree)}** (line ${d.pairLine})\n\n`);
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
  if (!engine.settings.highlightsEnabled) return undefined;
  const found = await runInHostSlices(engine.decorationsSliced(document, { first: position.line, last: position.line }), {
    cancelled: () => token?.isCancellationRequested === true || document.isClosed,
  });
  return found.find((d) => d.line - 1 === position.line && d.start <= position.character && position.character < d.end);
}

export class KeyHoverProvider implements vscode.HoverProvider {
  constructor(private readonly engine: KeyContentEngine) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const d = await keyDecorationAt(this.engine, document, position, token).catch((err: unknown) => {
      if (err instanceof WorkCancelled) return undefined;
      throw err;
    });
    if (!d) return undefined;
    return new vscode.Hover(keyHoverMarkdown(d, document), new vscode.Range(d.line - 1, d.start, d.line - 1, d.end));
  }
}
