// The trainer as a forked process (out/src/trainer/main.js): events stream over IPC, a stop message
// saves a checkpoint and ends the run with done(stopped), the process exits 0 and leaves nothing behind.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/paths';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { isTrainerEvent, TrainerEvent } from '../../../src/core/protocol/trainer';
import { isAlive } from '../../helpers/processes';

const ENTRY = path.join(REPO_ROOT, 'out', 'src', 'trainer', 'main.js');

describe('trainer process', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-process-'));
    const pairs = generateDemoPairs({ count: 24, seed: 2 });
    fs.writeFileSync(path.join(dir, 'demo.jsonl'), pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function start(runDir: string) {
    return fork(ENTRY, [
      '--data', path.join(dir, 'demo.jsonl'), '--out', runDir, '--max-steps', '500', '--backend', 'wasm',
      '--set', 'tiny_sft_steps=2', '--set', 'tiny_d_model=16', '--set', 'tiny_n_layers=1', '--set', 'tiny_n_heads=2',
      '--set', 'tiny_vocab_size=280', '--set', 'tiny_context_length=64', '--set', 'max_length=64', '--set', 'eval_steps=0',
    ], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  }

  it('streams events, stops on the stop message with a checkpoint, and exits 0', async () => {
    const runDir = path.join(dir, 'run');
    const child = start(runDir);
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    const events: TrainerEvent[] = [];
    let stopSent = false;
    child.on('message', (msg) => {
      assert.ok(isTrainerEvent(msg));
      events.push(msg);
      if (!stopSent && msg.type === 'metrics' && msg.row.step >= 2) {
        stopSent = true;
        child.send({ type: 'stop' });
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.equal(events[0].type === 'log' || events[0].type === 'started', true);
    assert.ok(events.some((e) => e.type === 'started'));
    const done = events[events.length - 1];
    assert.ok(done.type === 'done' && done.reason === 'stopped', JSON.stringify(done));
    assert.ok(done.step >= 2 && done.step < 500);
    const checkpoint = events.find((e) => e.type === 'checkpoint');
    assert.ok(checkpoint && checkpoint.type === 'checkpoint' && checkpoint.step === done.step);
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', `step-${done.step}`, 'trainer_state.json')));
    // metrics.jsonl has the same events the parent received.
    const onDisk = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(onDisk, events);
    assert.ok(!isAlive(child.pid!), 'no trainer process left behind');
  });

  it('treats SIGTERM as a graceful stop', async () => {
    const runDir = path.join(dir, 'sigterm');
    const child = start(runDir);
    const events: TrainerEvent[] = [];
    child.on('message', (msg) => {
      events.push(msg as TrainerEvent);
      if ((msg as TrainerEvent).type === 'metrics' && events.filter((e) => e.type === 'metrics').length === 1) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    const done = events[events.length - 1];
    assert.ok(done.type === 'done' && done.reason === 'stopped');
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', `step-${done.step}`, 'trainer_state.json')));
    assert.ok(!isAlive(child.pid!));
  });
});
