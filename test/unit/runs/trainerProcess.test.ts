// TrainerProcess against the real trainer (out/src/trainer/main.js) on a slice of the HH sample:
// typed events, a graceful stop with a checkpoint, crash detection with the last lines, no orphan.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TrainerEvent } from '../../../src/core/protocol';
import { historyFromEvents, readDegreesFile, readMetricsFileAsync, TrainerProcess, trainerArgs, TrainChoices, writeRunConfig } from '../../../src/core/runs';
import { resolveConfig } from '../../../src/core/train/config';
import { HH_SAMPLE, REPO_ROOT } from '../../helpers/paths';
import { isAlive } from '../../helpers/processes';
import { RunFolder } from '../../../src/core/train/runFolder';

const TRAINER = path.join(REPO_ROOT, 'out', 'src', 'trainer', 'main.js');

/** The smallest tiny-preset run that still goes through every phase (tokenizer, SFT, align, eval, degrees). */
function tinyRequest(runDir: string, maxSteps: number): TrainChoices {
  return {
    data: HH_SAMPLE, model: null, loss_type: ['sigmoid'], spo_gamma: 0.1, spo_classes: 4, beta: 0.1, max_steps: maxSteps, backend: 'wasm', output_dir: runDir, seed: 1,
    max_pairs: 24, tiny_sft_steps: 2, tiny_vocab_size: 300, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, max_length: 48, tiny_context_length: 48, eval_steps: 2, save_steps: 0, per_device_train_batch_size: 4,
  };
}

/** The trainer's argv for these choices, the way the run manager starts it: config.json written first. */
function startArgs(choices: TrainChoices): string[] {
  const config = resolveConfig([{ values: choices }]);
  writeRunConfig(config);
  return trainerArgs(config);
}

describe('TrainerProcess with the real trainer', () => {
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-trainer-proc-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('runs to completion: typed events over IPC match metrics.jsonl, degrees are written', async () => {
    const runDir = path.join(tmp, 'complete');
    const proc = TrainerProcess.start({ entry: TRAINER, args: startArgs(tinyRequest(runDir, 3)) });
    const seen: TrainerEvent[] = [];
    proc.onEvent((e) => seen.push(e));
    const exit = await proc.exited;
    assert.equal(exit.code, 0, exit.lastLines.join('\n'));
    assert.equal(exit.crashed, false);
    assert.equal(exit.done?.reason, 'completed');
    assert.equal(seen[0].type, 'started');
    assert.equal(seen[seen.length - 1].type, 'done');
    const live = historyFromEvents('complete', seen);
    const disk = historyFromEvents('complete', (await readMetricsFileAsync(path.join(runDir, 'metrics.jsonl'))).events);
    assert.equal(disk.status, 'completed');
    assert.deepEqual(disk.rows, live.rows);
    assert.deepEqual(live.rows.filter((r) => !('eval/loss' in r)).map((r) => r.step), [1, 2, 3]);
    assert.ok(live.rows.some((r) => 'eval/loss' in r), 'an eval row');
    for (const key of ['loss', 'loss/align', 'loss/spo_pref', 'rewards/chosen', 'rewards/margins', 'learning_rate']) assert.equal(typeof live.rows[0][key], 'number', key);
    const degrees = readDegreesFile(path.join(runDir, 'degrees.jsonl'));
    assert.equal(degrees.size, 24);
    for (const r of degrees.values()) {
      assert.ok(r.model && r.model.prob > 0 && r.model.prob < 1);
      assert.equal(r.spo?.pref.length, 4);
      assert.equal(typeof r.data, 'number');
    }
    assert.equal(isAlive(proc.pid!), false);
  });

  it('stops gracefully on request: checkpoint saved, exit 0, process gone', async () => {
    const runDir = path.join(tmp, 'stopped');
    const proc = TrainerProcess.start({ entry: TRAINER, args: startArgs(tinyRequest(runDir, 1000)) });
    const pid = proc.pid!;
    const checkpoints: string[] = [];
    proc.onEvent((e) => {
      if (e.type === 'metrics' && e.row.step >= 1) void proc.stop();
      if (e.type === 'checkpoint') checkpoints.push(e.path);
    });
    const exit = await proc.exited;
    assert.equal(exit.code, 0, exit.lastLines.join('\n'));
    assert.equal(exit.crashed, false);
    assert.equal(exit.stoppedBy, 'stop-message');
    assert.equal(exit.done?.reason, 'stopped');
    assert.ok(exit.done!.step < 1000);
    assert.equal(checkpoints.length, 1);
    assert.deepEqual(new RunFolder(runDir).checkpointSteps().map((step) => new RunFolder(runDir).checkpointDir(step)), checkpoints);
    assert.ok(fs.existsSync(path.join(checkpoints[0], 'model.safetensors')));
    assert.equal(isAlive(pid), false);
  });

  it('detects a crash (bad --data) with the last output lines', async () => {
    const missing = path.join(tmp, 'no-such-file.jsonl');
    const proc = TrainerProcess.start({ entry: TRAINER, args: startArgs({ ...tinyRequest(path.join(tmp, 'crash'), 3), data: missing }) });
    const exit = await proc.exited;
    assert.notEqual(exit.code, 0);
    assert.equal(exit.crashed, true);
    assert.ok(exit.lastLines.some((l) => l.includes('no-such-file.jsonl')), exit.lastLines.join('\n'));
    assert.equal(isAlive(proc.pid!), false);
  });

  it('kill() ends the process at once and is not reported as a crash', async () => {
    const proc = TrainerProcess.start({ entry: TRAINER, args: startArgs(tinyRequest(path.join(tmp, 'killed'), 1000)) });
    await new Promise<void>((resolve) => proc.onEvent((e) => { if (e.type === 'started') resolve(); }));
    proc.dispose();
    const exit = await proc.exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.crashed, false);
    assert.equal(isAlive(proc.pid!), false);
  });

  it('escalates to SIGTERM when the stop message cannot be delivered in time', async () => {
    // A script that ignores stop messages and the IPC channel: only the signal path can end it.
    const stubborn = path.join(tmp, 'stubborn.js');
    fs.writeFileSync(stubborn, "process.on('message', () => {}); console.log('ready'); setInterval(() => {}, 1000);");
    const proc = TrainerProcess.start({ entry: stubborn, args: [], stopGraceMs: 200, termGraceMs: 2000 });
    await new Promise<void>((resolve) => proc.onOutput(({ line }) => { if (line === 'ready') resolve(); }));
    const exit = await proc.stop();
    assert.equal(exit.stoppedBy, 'sigterm');
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.crashed, false);
    assert.equal(isAlive(proc.pid!), false);
  });
});
