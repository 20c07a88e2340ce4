// Training features (Train SPO, run manager, curves panel): placeholder until issue 6 lands.
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';

export function registerTrainingFeatures(context: vscode.ExtensionContext, _output: vscode.LogOutputChannel): void {
  for (const id of [CommandId.Train, CommandId.StopTraining, CommandId.ShowCurves]) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () =>
      vscode.window.showInformationMessage(`SPO: ${id} is not available in this build yet.`)));
  }
}
