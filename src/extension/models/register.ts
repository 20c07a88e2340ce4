// Pretrained-model features: the SPO: Get a Model command.
import * as path from 'path';
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { getModelCommand, GetModelOptions } from './getModelCommand';

export function registerModelFeatures(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const cliEntry = path.join(context.extensionPath, 'dist', 'cli.js');
  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.GetModel, (options?: GetModelOptions) => getModelCommand(cliEntry, output, options)),
  );
}
