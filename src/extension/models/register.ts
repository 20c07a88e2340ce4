// Pretrained-model features: the SPO: Get a Model command; under SPO_TEST=1, the Train SPO model choices for the e2e suite.
import * as path from 'path';
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { getModelCommand, GetModelOptions } from './getModelCommand';
import { modelChoices } from './modelChoices';

export function registerModelFeatures(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const cliEntry = path.join(context.extensionPath, 'dist', 'cli.js');
  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.GetModel, (options?: GetModelOptions) => getModelCommand(cliEntry, output, options)),
  );
  if (process.env.SPO_TEST === '1') {
    // The models the Train SPO picker offers besides the tiny preset (the same list trainCommand shows).
    context.subscriptions.push(vscode.commands.registerCommand('spo._test.getModelChoices', () => modelChoices()));
  }
}
