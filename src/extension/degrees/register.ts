// Degree features: Inspect Preference Degree (one example) and Show Dataset Preference Degrees (histogram +
// hardest-first table); the DegreeSource they share also gives the preference hover its run degrees.
import * as path from 'path';
import * as vscode from 'vscode';
import { loadPreferenceFile, parsePreferenceText } from '../../core/data';
import { datasetDegreeRows } from '../../core/runs';
import { CommandId } from '../commandIds';
import type { KeyContentEngine } from '../keys/keyContentEngine';
import { DegreePanel, DegreePanelsContext } from './degreePanel';
import { DegreeSource } from './degreeSource';

/** `{uri, line}` from a hover command link (uri as a string or a serialised Uri) or a direct call. */
export interface DegreeTarget {
  uri?: vscode.Uri | string | { scheme: string; path: string };
  line?: number;
}

function toUri(value: DegreeTarget['uri']): vscode.Uri | undefined {
  if (!value) return undefined;
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string') return value.includes(':') && !/^[a-zA-Z]:\\/.test(value) ? vscode.Uri.parse(value) : vscode.Uri.file(value);
  if (typeof value === 'object' && typeof value.scheme === 'string' && typeof value.path === 'string') return vscode.Uri.from({ scheme: value.scheme, path: value.path });
  return undefined;
}

/** Registers the degree commands on the key-content engine; returns the source the preference hover reads. */
export function registerDegreeFeatures(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, engine: KeyContentEngine): DegreeSource {
  const source = new DegreeSource(engine);
  const ctx: DegreePanelsContext = { extensionUri: context.extensionUri, panels: new Map(), lastRendered: null };

  /** Accepts `{uri, line}`, a Uri, or the key hover's positional `(line, uri)`. */
  async function inspect(arg?: DegreeTarget | vscode.Uri | number, second?: DegreeTarget['uri']): Promise<void> {
    const target: DegreeTarget = arg instanceof vscode.Uri ? { uri: arg } : typeof arg === 'number' ? { line: arg, uri: second } : arg ?? {};
    const editor = vscode.window.activeTextEditor;
    const uri = toUri(target.uri) ?? editor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Inspect Preference Degree: open a preference file and put the cursor on an example.');
      return;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    const line = target.line ?? (editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active.line + 1 : 1);
    const view = await source.exampleView(document, line, true);
    DegreePanel.show(ctx, 'example', { type: 'example', view }, document.fileName);
  }

  async function showDataset(arg?: DegreeTarget | vscode.Uri): Promise<void> {
    const target: DegreeTarget = arg instanceof vscode.Uri ? { uri: arg } : arg ?? {};
    let uri = toUri(target.uri) ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ title: 'Preference dataset', canSelectMany: false, filters: { 'Preference data': ['jsonl', 'json', 'gz'] } });
      uri = picked?.[0];
      if (!uri) return;
    }
    const file = uri.fsPath;
    const settings = engine.settingsFor(uri);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Preference degrees of ${path.basename(file)}` }, async () => {
      // An open (maybe unsaved) editor is what the user sees; otherwise read the file (also .gz).
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri!.toString());
      const loaded = open ? parsePreferenceText(open.getText(), { format: settings.format }) : await loadPreferenceFile(file, { format: settings.format });
      const run = await source.runDegrees(file, true);
      const rows = datasetDegreeRows(loaded.pairs, engine.extractorFor(uri), settings.maxKeys, run.records);
      output.info(`Dataset degrees of ${file}: ${rows.length} pairs, ${loaded.issues.length} skipped; ${run.note}`);
      DegreePanel.show(ctx, 'dataset', { type: 'dataset', view: { file, run: run.run, runNote: run.note, rows, skipped: loaded.issues.length } }, file);
    });
  }

  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.InspectDegree, inspect),
    vscode.commands.registerCommand(CommandId.ShowDatasetDegrees, showDataset),
    source,
    // The runs folder is the first workspace folder's `spo.train.runsDirectory`: when either moves, watch the new one.
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('spo.train.runsDirectory')) source.watchRuns(); }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => source.watchRuns()),
    { dispose: () => { for (const p of [...ctx.panels.values()]) p.panel.dispose(); } },
  );
  if (process.env.SPO_TEST === '1') {
    context.subscriptions.push(
      vscode.commands.registerCommand('spo._test.getDegreeViewState', () => ({ open: [...ctx.panels.keys()], rendered: ctx.lastRendered })),
    );
  }
  return source;
}
