// Issue 13 §2: the extension host reads workspace files asynchronously. Resume Training lists runs, judges them
// and checks their ownership with the async readers; they must give what the synchronous ones (the CLI's, the
// trainer's) give, also for a shipped run whose files are links to /dev/zero.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TrainerEvent } from '../../../src/core/protocol';
import {
  listResumableRunsAsync, listRunsAsync, runOwnership, runOwnershipAsync,
} from '../../../src/core/runs';

const started = (host: string): TrainerEvent => ({ type: 'started', runDir: 'r', runName: 'r', backend: 'cpu', backendNote: '', totalSteps: 10, config: {}, time: 0, pid: 1, host });
const done = (reason: 'completed' | 'stopped', step: number): TrainerEvent => ({ type: 'done', reason, step, time: 0 });

function writeRun(runsDir: string, name: string, events: TrainerEvent[], checkpointStep: number): string {
  const dir = path.join(runsDir, name);
  fs.mkdirSync(path.join(dir, 'checkpoints', `step-${checkpointStep}`), { recursive: true });
  fs.writeFileSync(path.join(dir, 'checkpoints', `step-${checkpointStep}`, 'trainer_state.json'), '{}');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ data: 'hh.jsonl', max_steps: 10 }));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return dir;
}

describe('async run-folder readers agree with the synchronous ones', () => {
  let runsDir: string;
  let own: string;
  let foreign: string;
  let zero: string;
  before(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-async-runs-'));
    own = writeRun(runsDir, '20261127-000001', [started(os.hostname()), done('stopped', 2)], 2);
    writeRun(runsDir, '20261127-000002', [started(os.hostname()), done('completed', 10)], 10);
    foreign = writeRun(runsDir, '20261127-000003', [started('a-laptop-elsewhere'), done('stopped', 4)], 4);
    zero = writeRun(runsDir, '20261127-000004', [], 1);
    for (const name of ['config.json', 'metrics.jsonl']) {
      fs.rmSync(path.join(zero, name));
      fs.symlinkSync('/dev/zero', path.join(zero, name));
    }
    fs.mkdirSync(path.join(runsDir, 'not-a-run'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('lists the same runs, and the same resumable ones', { timeout: 10_000 }, async () => {
    const { runs, truncated } = await listRunsAsync(runsDir);
    assert.equal(truncated, false);
    // What the synchronous lister (gone now: nothing else used it) gave for a run: its folder, files and config.
    assert.deepEqual(runs.at(-1), { name: '20261127-000001', dir: own, metricsFile: path.join(own, 'metrics.jsonl'), config: { data: 'hh.jsonl', max_steps: 10 }, hasDegrees: false });
    assert.deepEqual(runs.map((r) => [r.name, r.config !== null]), [
      ['20261127-000004', false], ['20261127-000003', true], ['20261127-000002', true], ['20261127-000001', true],
    ]);
    const resumable = (await listResumableRunsAsync(runsDir)).runs;
    assert.deepEqual(resumable.map((r) => [r.run.name, r.outcome, r.checkpointStep]), [['20261127-000003', 'stopped', 4], ['20261127-000001', 'stopped', 2]]);
    assert.deepEqual(await listRunsAsync(path.join(runsDir, 'missing')), { runs: [], truncated: false });
  });

  it('judges ownership the same way: own, another host, unreadable metrics', { timeout: 10_000 }, async () => {
    for (const dir of [own, foreign, zero]) assert.deepEqual(await runOwnershipAsync(dir), runOwnership(dir), dir);
    assert.equal((await runOwnershipAsync(own)).own, true);
    assert.match((await runOwnershipAsync(foreign)).reasons.join(), /last started on host "a-laptop-elsewhere"/);
    assert.match((await runOwnershipAsync(zero)).reasons.join(), /no trainer on this machine recorded starting it/);
    assert.match((await runOwnershipAsync(own, 'h', 12345)).reasons.join(), /belongs to user id \d+, not 12345/);
  });
});
