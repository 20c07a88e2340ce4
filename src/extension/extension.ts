// Activation only wires features together; each feature registers its own commands and listeners.
import * as vscode from 'vscode';
import { registerKeyContentFeatures } from './keys/register';
import { registerTrainingFeatures, shutdownTraining } from './training/register';
import { registerModelFeatures } from './models/register';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('SPO Studio', { log: true });
  context.subscriptions.push(output);
  registerKeyContentFeatures(context, output);
  registerTrainingFeatures(context, output);
  registerModelFeatures(context, output);
  output.info(`SPO Studio activated (VS Code ${vscode.version}, trusted workspace: ${vscode.workspace.isTrusted})`);
}

export function deactivate(): Promise<unknown> {
  // Closing the window: the trainer saves a checkpoint and stops (SIGKILL only after a short grace); VS Code
  // waits for this promise a few seconds, then releases context.subscriptions.
  return shutdownTraining();
}
