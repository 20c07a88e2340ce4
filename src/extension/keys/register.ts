// Key-content features: highlights, the preference hover and diagnostics on preference files, the Pair View
// and the degree views. Everything is registered here and rebuilt from one place when the settings change.
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { openPairView } from '../pairView/openPairView';
import { PairViewPanel } from '../pairView/pairViewPanel';
import { PairViewPersistedState } from '../../core/protocol';
import { JsonArrayIndex } from './jsonArrayIndex';
import { KeyContentEngine } from './keyContentEngine';
import { KeyHighlighter } from './keyHighlighter';
import { COPY_KEY_PHRASE_COMMAND, PreferenceHoverProvider } from './keyHover';
import { registerDegreeFeatures } from '../degrees/register';
import { affectsKeyContent } from './settings';
import { ReadIssueDiagnostics } from './readIssueDiagnostics';
import { registerTestHooks } from './testHooks';
import { toggleHighlights } from './toggleHighlights';

const PREFERENCE_FILES: vscode.DocumentSelector = [{ pattern: '**/*.jsonl' }, { pattern: '**/*.json' }, { language: 'jsonl' }];

export function registerKeyContentFeatures(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const jsonArrays = new JsonArrayIndex();
  const engine = new KeyContentEngine(output, jsonArrays);
  const highlighter = new KeyHighlighter(engine, output);
  const diagnostics = new ReadIssueDiagnostics(output, engine);
  const pairView = new PairViewPanel(context.extensionUri, engine, output);
  const degrees = registerDegreeFeatures(context, output, engine);

  /** The one rebuild: new settings → fresh engine state, every editor repainted, every file rescanned. */
  const rebuild = () => {
    engine.reload();
    highlighter.schedule();
    for (const document of vscode.workspace.textDocuments) diagnostics.schedule(document);
    void pairView.refresh();
  };

  context.subscriptions.push(
    highlighter, diagnostics, pairView,
    vscode.languages.registerHoverProvider(PREFERENCE_FILES, new PreferenceHoverProvider(engine, degrees)),
    vscode.commands.registerCommand(CommandId.ToggleHighlights, toggleHighlights),
    vscode.commands.registerCommand(CommandId.OpenPairView, (target?: vscode.Uri | string, line?: number) => openPairView(pairView, target, line)),
    vscode.commands.registerCommand(COPY_KEY_PHRASE_COMMAND, async (phrase: string) => {
      await vscode.env.clipboard.writeText(String(phrase));
      vscode.window.setStatusBarMessage(`Copied “${phrase}”`, 2000);
    }),
    vscode.window.registerWebviewPanelSerializer(PairViewPanel.viewType, {
      deserializeWebviewPanel: (panel, state: PairViewPersistedState | undefined) => pairView.revive(panel, state),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => { if (affectsKeyContent(e)) rebuild(); }),
    vscode.window.onDidChangeVisibleTextEditors(() => highlighter.schedule()),
    vscode.window.onDidChangeTextEditorVisibleRanges((e) => highlighter.schedule(e.textEditor)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      for (const editor of vscode.window.visibleTextEditors) if (editor.document === e.document) highlighter.schedule(editor);
      diagnostics.schedule(e.document);
    }),
    vscode.workspace.onDidOpenTextDocument((document) => diagnostics.schedule(document, 0)),
    vscode.workspace.onDidCloseTextDocument((document) => {
      diagnostics.clear(document);
      engine.forget(document);
    }),
    ...registerTestHooks(engine, highlighter, pairView),
  );

  highlighter.schedule();
  for (const document of vscode.workspace.textDocuments) diagnostics.schedule(document, 0);
}
