// Training features: Train SPO, Stop and Resume Training (run manager), the SPO vs DPO experiment, the
// Training Curves panel and its serializer; plus, under SPO_TEST=1 only, e2e state hooks. (The degree views
// register with the key-content features, whose engine they share.)
import * as path from 'path';
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { CURVES_VIEW_TYPE, CurvesContext, CurvesPanel, CurvesSerializer } from '../curves/curvesPanel';
import { registerExperimentFeatures } from '../experiment/register';
import { resumeCommand, ResumeCommandOptions } from './resumeCommand';
import { RunManager } from './runManager';
import { trainCommand, TrainCommandOptions } from './trainCommand';
import { ModalConfirmer } from '../modalConfirm';

let activeManager: RunManager | null = null;

/** For deactivate(): ask a live trainer to checkpoint and stop; resolves once it exited (or was killed after the grace). */
export function shutdownTraining(): Promise<unknown> {
  return activeManager?.shutdown() ?? Promise.resolve();
}

export function registerTrainingFeatures(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const manager = new RunManager(path.join(context.extensionPath, 'dist', 'trainer.js'), output);
  activeManager = manager;
  const curves: CurvesContext = { extensionUri: context.extensionUri, manager, output, current: null, lastReport: null };
  const experiments = registerExperimentFeatures(context, output);
  const modals = new ModalConfirmer();

  context.subscriptions.push(
    manager,
    vscode.commands.registerCommand(CommandId.Train, (options?: TrainCommandOptions | vscode.Uri) => trainCommand(context, manager, options)),
    vscode.commands.registerCommand(CommandId.StopTraining, async () => {
      if (!manager.current) {
        void vscode.window.showInformationMessage('SPO: no training run is active.');
        return undefined;
      }
      return manager.stop();
    }),
    vscode.commands.registerCommand(CommandId.ShowCurves, (arg?: { run?: string | null; runs?: string[] }) => {
      const runs = Array.isArray(arg?.runs) ? arg.runs.filter((r): r is string => typeof r === 'string') : undefined;
      CurvesPanel.createOrShow(curves, arg?.run ?? undefined, runs);
    }),
    vscode.commands.registerCommand(CommandId.ResumeTraining, (options?: ResumeCommandOptions) => resumeCommand(manager, modals, options)),
    ...modals.testHooks(),
    vscode.window.registerWebviewPanelSerializer(CURVES_VIEW_TYPE, new CurvesSerializer(curves)),
    { dispose: () => curves.current?.panel.dispose() },
  );

  if (process.env.SPO_TEST === '1') {
    context.subscriptions.push(
      vscode.commands.registerCommand('spo._test.getCurvesState', () => ({ open: curves.current !== null, report: curves.lastReport })),
      vscode.commands.registerCommand('spo._test.getRunManagerState', () => manager.state()),
      vscode.commands.registerCommand('spo._test.getExperimentState', () => experiments.state()),
    );
  }
}
