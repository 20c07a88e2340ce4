// The status rule for runs the extension did not start: done's reason when the file has one, else running
// while metrics.jsonl was written in the last minute, else interrupted; and the cheap probe the run picker uses.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TrainerEvent } from '../../../src/core/protocol';
import { historyFromEvents, settleUnfinished } from '../../../src/core/runs';
import {
  endsWithDoneAsync, isRunTrainingAsync, lastStartedTrainerAsync, LIVE_WRITE_WINDOW_MS, PID_TRUST_WINDOW_MS, trainerAlive, unfinishedRunStatus,
} from '../../../src/core/runs/runLiveness';

const started: TrainerEvent = { type: 'started', runDir: '/r/a', runName: 'a', backend: 'cpu', backendNote: '', totalSteps: 4, config: {}, time: 1 };
const row = (step: number): TrainerEvent => ({ type: 'metrics', split: 'train', row: { step, loss: 1 / step }, time: step });
const done = (reason: 'completed' | 'stopped' | 'failed', step: number): TrainerEvent => ({ type: 'done', reason, step, time: 9 });
const lines = (events: TrainerEvent[]) => events.map((e) => JSON.stringify(e) + '\n').join('');

/** The pid of a process that has exited (a finished `node -e ""`). */
function exitedPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => (child.pid ? resolve(child.pid) : reject(new Error('no pid'))));
  });
}

/** Set a file's modification time `ageMs` before now. */
function age(file: string, ageMs: number): number {
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(file, t, t);
  return fs.statSync(file).mtimeMs;
}

function tempFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-liveness-'));
  const file = path.join(dir, 'metrics.jsonl');
  fs.writeFileSync(file, content);
  return file;
}

describe('run liveness', () => {
  it('an unfinished run is running while written within the window, interrupted after', () => {
    const now = 1_000_000;
    assert.equal(unfinishedRunStatus(now, now), 'running');
    assert.equal(unfinishedRunStatus(now - LIVE_WRITE_WINDOW_MS, now), 'running');
    assert.equal(unfinishedRunStatus(now - LIVE_WRITE_WINDOW_MS - 1, now), 'interrupted');
  });

  it('done decides the status of a finished run whatever its file time; failed is only done(failed)', () => {
    for (const reason of ['completed', 'failed'] as const) {
      const h = historyFromEvents('a', [started, row(1), done(reason, 1)]);
      assert.equal(settleUnfinished(h, true), false);
      assert.equal(h.status, reason);
    }
    const stoppedAtEnd = historyFromEvents('a', [started, row(4), done('stopped', 4)], true);
    assert.equal(stoppedAtEnd.status, 'stopped', 'a stop after the last step is still a stop, not a completion');
    const unfinished = historyFromEvents('a', [started, row(1), row(2)]);
    assert.equal(unfinished.status, 'interrupted');
    assert.equal(settleUnfinished(unfinished, true), true);
    assert.equal(unfinished.status, 'running');
    assert.equal(settleUnfinished(unfinished, true), false);
    assert.equal(historyFromEvents('a', []).status, 'unknown', 'a run without started stays unknown');
  });

  it('finds a done event at the end of a file, past a torn last line, reading only the end', async () => {
    const many = lines([started, ...Array.from({ length: 200 }, (_, i) => row(i + 1))]);
    assert.ok(Buffer.byteLength(many) > 4096, 'the file is longer than the probe');
    const finished = tempFile(many + lines([done('completed', 200)]));
    assert.equal(await endsWithDoneAsync(finished, fs.statSync(finished).size), true);
    const torn = tempFile(many + lines([done('completed', 200)]) + '{"type":"log","lev');
    assert.equal(await endsWithDoneAsync(torn, fs.statSync(torn).size), true);
    const unfinished = tempFile(many);
    assert.equal(await endsWithDoneAsync(unfinished, fs.statSync(unfinished).size), false);
    assert.equal(await endsWithDoneAsync(tempFile(''), 0), false);
  });

  it('a run is training when its fresh file has no done; a stale one or a missing file is not', async () => {
    const file = tempFile(lines([started, row(1)]));
    const mtime = fs.statSync(file).mtimeMs;
    assert.equal(await isRunTrainingAsync(file, mtime + 1000), true);
    assert.equal(await isRunTrainingAsync(file, mtime + LIVE_WRITE_WINDOW_MS + 1000), false);
    fs.appendFileSync(file, lines([done('completed', 1)]));
    assert.equal(await isRunTrainingAsync(file, fs.statSync(file).mtimeMs), false);
    assert.equal(await isRunTrainingAsync(path.join(path.dirname(file), 'missing.jsonl'), mtime), false);
  });

  it('a started event with a live pid keeps a run running through a long silence', async () => {
    const mine: TrainerEvent = { ...started, pid: process.pid, host: os.hostname() };
    const file = tempFile(lines([mine, row(1)]));
    age(file, 10 * LIVE_WRITE_WINDOW_MS);
    assert.deepEqual(await lastStartedTrainerAsync(file, fs.statSync(file).size), { pid: process.pid, host: os.hostname() });
    assert.equal(await isRunTrainingAsync(file, Date.now()), true);
    // Pid reuse guard: past the trust window a live pid no longer counts.
    assert.equal(unfinishedRunStatus(0, PID_TRUST_WINDOW_MS + 1, { pid: process.pid }), 'interrupted');
    // Another host's pid says nothing here: the mtime rule decides.
    assert.equal(trainerAlive({ pid: process.pid, host: `${os.hostname()}-elsewhere` }), null);
    assert.equal(await isRunTrainingAsync(tempFile(lines([{ ...mine, host: 'elsewhere' }, row(1)])), Date.now() + 10 * LIVE_WRITE_WINDOW_MS), false);
  });

  it('a started event whose trainer has exited is interrupted at once, even when freshly written', async () => {
    const pid = await exitedPid();
    assert.equal(trainerAlive({ pid }), false);
    const file = tempFile(lines([{ ...started, pid }, row(1)]));
    assert.equal(await isRunTrainingAsync(file, fs.statSync(file).mtimeMs), false);
    assert.equal(unfinishedRunStatus(1000, 1000, { pid }), 'interrupted');
  });

  it('the last started event counts (a resumed run), found past many rows; no pid keeps the mtime rule', async () => {
    const dead = await exitedPid();
    const many = Array.from({ length: 3000 }, (_, i) => row(i + 1));
    const resumed = tempFile(lines([{ ...started, pid: dead }, ...many, { ...started, pid: process.pid }, ...many]));
    assert.ok(fs.statSync(resumed).size > 64 * 1024, 'the scan crosses chunk boundaries');
    assert.deepEqual(await lastStartedTrainerAsync(resumed, fs.statSync(resumed).size), { pid: process.pid, host: undefined });
    age(resumed, 5 * LIVE_WRITE_WINDOW_MS);
    assert.equal(await isRunTrainingAsync(resumed, Date.now()), true, 'the resumed trainer (alive) counts, not the first (exited)');

    const old = tempFile(lines([started, ...many]));
    assert.equal(await lastStartedTrainerAsync(old, fs.statSync(old).size), null);
    const mtime = fs.statSync(old).mtimeMs;
    assert.equal(await isRunTrainingAsync(old, mtime + 1000), true);
    assert.equal(await isRunTrainingAsync(old, mtime + LIVE_WRITE_WINDOW_MS + 1000), false);
    assert.equal(trainerAlive({}), null);
    assert.equal(trainerAlive({ pid: 0 }), null, 'pid 0 would probe a process group');
  });
});
