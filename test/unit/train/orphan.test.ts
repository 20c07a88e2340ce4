// Issue 13 §6: the trainer never outlives its owner, and a closing window never throws work away.
// (Before: with its parent SIGKILLed, a forked trainer was adopted by PID 1 and trained all its steps;
// the run manager's dispose sent SIGKILL with no checkpoint.)
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/paths';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { readMetricsFileAsync, TrainerProcess } from '../../../src/core/runs';
import { isAlive } from '../../helpers/processes';
import { RunFolder } from '../../../src/core/train/runFolder';

const ENTRY = path.join(REPO_ROOT, 'out', 'src', 'trainer', 'main.js');

const waitFor = async (what: string, ok: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('trainer lifetime (issue 13 §6)', () => {
  let dir: string;
  let args: (runDir: string) => string[];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-orphan-'));
    const data = path.join(dir, 'demo.jsonl');
    const pairs = generateDemoPairs({ count: 24, seed: 2 });
    fs.writeFileSync(data, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
    args = (runDir) => [
      '--data', data, '--output-dir', runDir, '--max-steps', '100000', '--backend', 'wasm',
      '--set', 'tiny_sft_steps=2', '--set', 'tiny_d_model=16', '--set', 'tiny_n_layers=1', '--set', 'tiny_n_heads=2',
      '--set', 'tiny_vocab_size=280', '--set', 'tiny_context_length=64', '--set', 'max_length=64', '--set', 'eval_steps=0',
      '--set', 'save_steps=100000', '--set', 'write_degrees=false',
    ];
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a trainer whose parent is SIGKILLed saves a checkpoint and exits instead of training on as an orphan', async () => {
    const runDir = path.join(dir, 'orphan');
    // The owner: a process that forks the trainer and prints its pid once it has trained a step.
    const owner = path.join(dir, 'owner.js');
    fs.writeFileSync(owner, `
      const { fork } = require('child_process');
      const child = fork(${JSON.stringify(ENTRY)}, ${JSON.stringify(args(runDir))}, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      child.stderr.resume();
      child.on('message', (m) => { if (m.type === 'progress' && m.phase === 'align' && m.step >= 2) console.log('trainer ' + child.pid); });
    `);
    const parent = spawn(process.execPath, [owner], { stdio: ['ignore', 'pipe', 'inherit'] });
    const trainerPid = await new Promise<number>((resolve) => {
      parent.stdout!.on('data', (d: Buffer) => { const m = /trainer (\d+)/.exec(String(d)); if (m) resolve(Number(m[1])); });
    });
    parent.kill('SIGKILL');
    try {
      await waitFor('the orphaned trainer to exit', () => !isAlive(trainerPid), 30_000);
    } finally {
      if (isAlive(trainerPid)) process.kill(trainerPid, 'SIGKILL');
    }
    const events = (await readMetricsFileAsync(path.join(runDir, 'metrics.jsonl'))).events;
    const done = events[events.length - 1];
    assert.ok(done.type === 'done' && done.reason === 'stopped', JSON.stringify(done));
    assert.ok(done.step < 100000);
    assert.deepEqual(new RunFolder(runDir).checkpointSteps(), [done.step], 'the steps it trained are saved');
  });

  it('shutdown (window closing) asks for a checkpoint first and only then kills', async () => {
    const runDir = path.join(dir, 'closing');
    const proc = TrainerProcess.start({ entry: ENTRY, args: args(runDir) });
    await new Promise<void>((resolve) => proc.onEvent((e) => { if (e.type === 'progress' && e.phase === 'align' && e.step >= 2) resolve(); }));
    const exit = await proc.shutdown(20_000);
    assert.equal(exit.code, 0, exit.lastLines.join('\n'));
    assert.equal(exit.done?.reason, 'stopped');
    assert.deepEqual(new RunFolder(runDir).checkpointSteps(), [exit.done!.step]);
    assert.equal(isAlive(proc.pid!), false);
  });

  it('shutdown kills a trainer that does not stop within the grace period', async () => {
    const stubborn = path.join(dir, 'stubborn.js');
    fs.writeFileSync(stubborn, "process.on('message', () => {}); process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);");
    const proc = TrainerProcess.start({ entry: stubborn, args: [] });
    await new Promise<void>((resolve) => proc.onOutput(({ line }) => { if (line === 'ready') resolve(); }));
    const t0 = Date.now();
    const exit = await proc.shutdown(300);
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(isAlive(proc.pid!), false);
  });
});
