// The SPO vs DPO experiment feature: its command and the manager that runs the CLI in the background.
import * as path from 'path';
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { experimentCommand, ExperimentCommandOptions } from './experimentCommand';
import { ExperimentManager } from './experimentManager';

export function registerExperimentFeatures(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): ExperimentManager {
  const manager = new ExperimentManager(path.join(context.extensionPath, 'dist', 'cli.js'), output);
  context.subscriptions.push(
    manager,
    vscode.commands.registerCommand(CommandId.RunExperiment, (options?: ExperimentCommandOptions | vscode.Uri) => experimentCommand(context, manager, options)),
  );
  if (process.env.SPO_TEST === '1') {
    context.subscriptions.push(vscode.commands.registerCommand('spo._test.cancelExperiment', () => manager.cancel()));
  }
  return manager;
}
