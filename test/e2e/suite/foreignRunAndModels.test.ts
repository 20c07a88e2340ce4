// Issue 13 §1 and the model cache in a real VS Code: a run folder that is not this machine's own (another host
// recorded starting it) is resumed only after a modal that shows its real path, and declining it starts nothing
// and writes nothing; SPO: Get a Model finds SmolLM2 already in the real cache and does nothing, and the model
// is then among the Train SPO model choices.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { modelsCacheDir } from '../../../src/core/models/index';
import { tinyConfig } from '../../helpers/tinyRun';
import { hhFile, spoExtension, workspaceDir } from '../helpers';

interface ShownModal { message: string; detail: string; actions: string[]; answer: string | undefined }

/** Every file under `dir` with its size and mtime: what "nothing was written" is checked against. */
function snapshot(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => { const st = fs.lstatSync(path.join(dir, rel)); return `${rel} ${st.size} ${st.mtimeMs}`; })
    .sort();
}

describe('a run folder that is not this machine\'s own', function () {
  this.timeout(60_000);
  const name = '20260101-000000-shipped';
  const runDir = () => path.join(workspaceDir(), '.spo', 'runs', name);

  before(async () => {
    await spoExtension().activate();
    const dir = runDir();
    fs.mkdirSync(path.join(dir, 'checkpoints', 'step-2'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...tinyConfig(hhFile()), output_dir: dir }, null, 2));
    fs.writeFileSync(path.join(dir, 'checkpoints', 'step-2', 'trainer_state.json'), JSON.stringify({ global_step: 2 }));
    const started = { type: 'started', runDir: dir, runName: name, backend: 'wasm', backendNote: '', totalSteps: 4, config: {}, time: 1, pid: 4242, host: 'a-laptop-elsewhere' };
    const done = { type: 'done', reason: 'stopped', step: 2, time: 2 };
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), `${JSON.stringify(started)}\n${JSON.stringify(done)}\n`);
  });

  after(() => fs.rmSync(runDir(), { recursive: true, force: true }));

  it('asks with a modal that shows the real path and why; declined, nothing starts and nothing is written', async () => {
    const before = snapshot(runDir());
    await vscode.commands.executeCommand('spo._test.scriptModals', [null]); // the user dismisses the modal
    const result = await vscode.commands.executeCommand('spo.resumeTraining', { run: name });
    assert.equal(result, undefined, 'the resume went ahead without a confirmation');
    const shown = await vscode.commands.executeCommand<ShownModal[]>('spo._test.getShownModals');
    assert.equal(shown.length, 1, `modals shown: ${JSON.stringify(shown)}`);
    assert.equal(shown[0].message, 'Resume a run that is not this machine\'s own?');
    assert.deepEqual(shown[0].actions, ['Resume Anyway']);
    const [realPath, , reason] = shown[0].detail.split('\n');
    assert.equal(realPath, fs.realpathSync(runDir()));
    assert.equal(reason, `it was last started on host "a-laptop-elsewhere", not this one ("${os.hostname()}")`);
    const state = await vscode.commands.executeCommand<{ live: boolean }>('spo._test.getRunManagerState');
    assert.equal(state.live, false, 'a trainer was started');
    assert.deepEqual(snapshot(runDir()), before, 'the run folder changed');
  });
});

describe('SPO: Get a Model with the model already in the cache', function () {
  this.timeout(60_000);
  const cached = path.join(modelsCacheDir(), 'smollm2-135m-instruct');

  it('finds SmolLM2 in the real cache and does nothing; Train SPO then offers it', async () => {
    assert.ok(fs.existsSync(path.join(cached, 'spo-model.json')),
      `this test needs SmolLM2 in the model cache (${cached}): run \`spo model fetch smollm2-135m-instruct\` once`);
    const cacheBefore = fs.readdirSync(modelsCacheDir()).sort();
    const folderBefore = snapshot(cached);
    const got = await vscode.commands.executeCommand<{ path: string; name: string; fetched: boolean; size: number }>('spo.getModel', { model: 'smollm2-135m-instruct' });
    assert.ok(got, 'Get a Model returned nothing');
    assert.equal(got.path, cached);
    assert.equal(got.name, 'smollm2-135m-instruct');
    assert.equal(got.fetched, false, 'it fetched the model again');
    assert.ok(got.size > 100 * 2 ** 20, `size ${got.size}`);
    assert.deepEqual(fs.readdirSync(modelsCacheDir()).sort(), cacheBefore, 'the cache folder changed (a partial download?)');
    assert.deepEqual(snapshot(cached), folderBefore, 'the model folder changed');

    const choices = await vscode.commands.executeCommand<Array<{ label: string; description: string; path: string }>>('spo._test.getModelChoices');
    const choice = choices.find((c) => c.path === cached);
    assert.ok(choice, `Train SPO's model choices lack ${cached}: ${JSON.stringify(choices)}`);
    assert.match(choice.label, /smollm2-135m-instruct/);
    assert.match(choice.description, /^fetched · \d+ MiB · SmolLM2-135M-Instruct/);
  });
});
