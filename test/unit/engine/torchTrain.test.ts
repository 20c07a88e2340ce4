// `spo train --engine torch` end to end on a tiny random Llama (made by the engine's own fixture module):
// the forked trainer process (what VS Code runs) writes pairs.jsonl + config.json, relays the Python's
// events over IPC, turns the stop message into SIGTERM (checkpoint, done(stopped)), and a resume finishes
// the run. Also: a Python without the engine is one clear refusal naming the install command.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, HH_SAMPLE } from '../../helpers/paths';
import { groupAlive } from '../../helpers/processes';
import { isTrainerEvent, TrainerEvent } from '../../../src/core/protocol/trainer';
import { choosePython, pythonChildEnv } from '../../../src/core/engine/pythonLocation';

const ENTRY = path.join(REPO_ROOT, 'out', 'src', 'trainer', 'main.js');
const readEvents = (runDir: string): TrainerEvent[] => fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

function runTrainer(args: string[], onEvent?: (e: TrainerEvent, child: ReturnType<typeof fork>) => void) {
  const child = fork(ENTRY, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const events: TrainerEvent[] = [];
  child.on('message', (m) => { if (isTrainerEvent(m)) { events.push(m); onEvent?.(m, child); } });
  return new Promise<{ code: number | null; events: TrainerEvent[]; stderr: string; pid: number }>((resolve) => {
    child.on('exit', (code) => resolve({ code, events, stderr, pid: child.pid! }));
  });
}

describe('torch engine through spo train', () => {
  let dir: string;
  let model: string;
  const python = choosePython().command;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-torch-train-'));
    model = path.join(dir, 'llama');
    execFileSync(python, ['-m', 'spo_torch.fixtures', 'model', model], { env: pythonChildEnv(), stdio: 'ignore', timeout: 120_000 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const common = (runDir: string) => [
    '--engine', 'torch', '--data', HH_SAMPLE, '--model', model, '--out', runDir, '--batch-size', '2',
    '--set', 'max_pairs=16', '--set', 'max_length=64', '--set', 'write_degrees=false', '--set', 'eval_steps=0',
  ];

  it('trains, stops on the stop message with a checkpoint, and resumes to the end', async () => {
    const runDir = path.join(dir, 'run');
    let stopSent = false;
    const first = await runTrainer([...common(runDir), '--max-steps', '6', '--set', 'save_steps=0'], (e, child) => {
      if (!stopSent && e.type === 'metrics' && e.row.step >= 2) { stopSent = true; child.send({ type: 'stop' }); }
    });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(!groupAlive(first.pid), 'the trainer and its Python are gone');
    const started = first.events.find((e) => e.type === 'started') as Extract<TrainerEvent, { type: 'started' }>;
    assert.ok(started && started.backend.startsWith('torch-'), 'the started event names the torch backend');
    const done = first.events[first.events.length - 1];
    assert.equal(done.type, 'done');
    assert.equal((done as Extract<TrainerEvent, { type: 'done' }>).reason, 'stopped');
    const stoppedAt = (done as Extract<TrainerEvent, { type: 'done' }>).step;
    assert.ok(stoppedAt >= 2 && stoppedAt < 6, `stopped early (step ${stoppedAt})`);
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', `step-${stoppedAt}`, 'trainer_state.json')), 'a complete checkpoint at the stop');

    const pairs = fs.readFileSync(path.join(runDir, 'pairs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(pairs.length, 16);
    assert.ok(pairs.some((p) => p.split === 'eval') && pairs.every((p) => Array.isArray(p.chosen_keys) && p.prompt_messages));
    const config = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8'));
    assert.equal(config.engine, 'torch');
    assert.deepEqual(config.loss_type, ['sigmoid']);
    assert.equal(config.per_device_train_batch_size, 2);

    const second = await runTrainer(['--resume', '--output-dir', runDir]);
    assert.equal(second.code, 0, second.stderr);
    const last = second.events[second.events.length - 1] as Extract<TrainerEvent, { type: 'done' }>;
    assert.deepEqual([last.type, last.reason, last.step], ['done', 'completed', 6]);
    const trainSteps = readEvents(runDir).filter((e) => e.type === 'metrics' && e.row.loss !== undefined).map((e) => (e as Extract<TrainerEvent, { type: 'metrics' }>).row.step);
    // Every step logged once: the resume continued after the stop, it did not redo or skip steps.
    assert.deepEqual(trainSteps, [1, 2, 3, 4, 5, 6]);
  });

  it('a Python without the engine is refused with the install command; nothing is trained', async () => {
    const bare = path.join(dir, 'bare-python');
    fs.writeFileSync(bare, '#!/bin/sh\nexec python3 -I -S "$@"\n', { mode: 0o755 });
    const runDir = path.join(dir, 'refused');
    const r = await runTrainer([...common(runDir), '--max-steps', '2', '--python', bare]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the torch engine is not ready in .* \(--python\): torch is not installed .*; install: .*-m pip install -e '.*\[peft\]'/);
    const done = r.events.find((e) => e.type === 'done') as Extract<TrainerEvent, { type: 'done' }>;
    assert.equal(done.reason, 'failed');
    assert.ok(!fs.existsSync(path.join(runDir, 'pairs.jsonl')), 'nothing written before the engine is known to work');
  });

  it('--engine auto without --model picks TF.js and says why', async () => {
    const runDir = path.join(dir, 'auto');
    const r = await runTrainer(['--engine', 'auto', '--data', HH_SAMPLE, '--out', runDir, '--max-steps', '1', '--backend', 'cpu',
      '--set', 'max_pairs=8', '--set', 'tiny_sft_steps=0', '--set', 'tiny_d_model=16', '--set', 'tiny_n_layers=1', '--set', 'tiny_n_heads=2',
      '--set', 'tiny_vocab_size=280', '--set', 'max_length=32', '--set', 'write_degrees=false', '--set', 'eval_steps=0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /auto: no --model/);
    const started = r.events.find((e) => e.type === 'started') as Extract<TrainerEvent, { type: 'started' }>;
    assert.equal(started.backend, 'cpu');
  });
});
