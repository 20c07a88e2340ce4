// Commands the e2e suite reads the extension's state through; registered only when SPO_TEST=1.
import * as vscode from 'vscode';
import { KeyDecoration } from '../../core/keys';
import { PairViewRenderedState } from '../../core/protocol';
import { PairViewPanel } from '../pairView/pairViewPanel';
import { KeyContentEngine } from './keyContentEngine';
import { HighlightProgress, KeyHighlighter } from './keyHighlighter';
import { keyDecorationAt, keyHoverMarkdown } from './keyHover';

export const TestCommand = {
  GetKeyDecorations: 'spo._test.getKeyDecorations',
  GetHover: 'spo._test.getHover',
  GetPairViewState: 'spo._test.getPairViewState',
  GetKeyNotes: 'spo._test.getKeyNotes',
  GetHighlightProgress: 'spo._test.getHighlightProgress',
} as const;

export function registerTestHooks(engine: KeyContentEngine, highlighter: KeyHighlighter, pairView: PairViewPanel): vscode.Disposable[] {
  if (process.env.SPO_TEST !== '1') return [];
  return [
    // The core's KeyDecoration fields (1-based line) of every range applied to the active editor.
    vscode.commands.registerCommand(TestCommand.GetKeyDecorations, (): KeyDecoration[] => {
      const editor = vscode.window.activeTextEditor;
      return editor ? highlighter.appliedTo(editor).map(({ range: _range, ...d }) => d) : [];
    }),
    vscode.commands.registerCommand(TestCommand.GetHover, async (line: number, character: number): Promise<string | undefined> => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return undefined;
      const d = await keyDecorationAt(engine, editor.document, new vscode.Position(line, character));
      return d ? keyHoverMarkdown(d, editor.document).value : undefined;
    }),
    // The capped-line notes (1-based lines) shown in the active editor.
    vscode.commands.registerCommand(TestCommand.GetKeyNotes, () => {
      const editor = vscode.window.activeTextEditor;
      return editor ? highlighter.notesIn(editor) : [];
    }),
    vscode.commands.registerCommand(TestCommand.GetHighlightProgress, (): HighlightProgress => highlighter.progress),
    vscode.commands.registerCommand(TestCommand.GetPairViewState, (): PairViewRenderedState | undefined => pairView.renderedState),
  ];
}
