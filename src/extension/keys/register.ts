// Key-content features (highlights, hovers, diagnostics, pair view): placeholder until issue 3 lands.
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';

export function registerKeyContentFeatures(context: vscode.ExtensionContext, _output: vscode.LogOutputChannel): void {
  for (const id of [CommandId.OpenPairView, CommandId.ToggleHighlights, CommandId.InspectDegree, CommandId.ShowDatasetDegrees]) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () =>
      vscode.window.showInformationMessage(`SPO: ${id} is not available in this build yet.`)));
  }
}
