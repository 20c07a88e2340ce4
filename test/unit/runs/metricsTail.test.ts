// Following a metrics.jsonl that is being appended to: only new complete lines are read, a torn line (or a
// multi-byte character cut mid-write) waits for its end, bad lines are numbered, a rewritten file resets;
// and the RunFollower folding the appended lines into a run's history and status.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TrainerEvent } from '../../../src/core/protocol';
import { MetricsTail } from '../../../src/core/runs/metricsTail';
import { RunFollower, RunUpdate } from '../../../src/core/runs/runFollower';
import { LIVE_WRITE_WINDOW_MS } from '../../../src/core/runs/runLiveness';
import { READ_LIMITS } from '../../../src/core/fs/safeFiles';

const started: TrainerEvent = { type: 'started', runDir: '/r/a', runName: 'a', backend: 'cpu', backendNote: '', totalSteps: 3, config: {}, time: 1 };
const row = (step: number, loss = 1 / step): TrainerEvent => ({ type: 'metrics', split: 'train', row: { step, loss }, time: step });
const line = (e: unknown) => JSON.stringify(e) + '\n';

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-tail-'));
  return path.join(dir, 'metrics.jsonl');
}

describe('metrics.jsonl tail', () => {
  it('reads a missing file as nothing, then only the lines appended since the last read', async () => {
    const file = tempFile();
    const tail = new MetricsTail(file);
    assert.deepEqual(await tail.read(), { events: [], badLines: [], reset: false });
    fs.writeFileSync(file, line(started) + line(row(1)));
    assert.deepEqual((await tail.read()).events, [started, row(1)]);
    assert.deepEqual((await tail.read()).events, [], 'nothing new');
    fs.appendFileSync(file, line(row(2)));
    assert.deepEqual((await tail.read()).events, [row(2)]);
    assert.equal(tail.consumedBytes, fs.statSync(file).size);
  });

  it('keeps a torn last line until the writer finishes it', async () => {
    const file = tempFile();
    const tail = new MetricsTail(file);
    const whole = line(row(3, 0.5));
    fs.writeFileSync(file, line(started) + whole.slice(0, 10));
    assert.deepEqual((await tail.read()).events, [started]);
    fs.appendFileSync(file, whole.slice(10, 20));
    const mid = await tail.read();
    assert.deepEqual(mid.events, []);
    assert.deepEqual(mid.badLines, [], 'a torn line is not a bad line');
    fs.appendFileSync(file, whole.slice(20));
    assert.deepEqual((await tail.read()).events, [row(3, 0.5)]);
  });

  it('decodes a multi-byte character split across two reads', async () => {
    const file = tempFile();
    const tail = new MetricsTail(file);
    const log: TrainerEvent = { type: 'log', level: 'info', message: 'γ = 0.1 → ok', time: 5 };
    const bytes = Buffer.from(line(log));
    const cut = bytes.indexOf(Buffer.from('γ')) + 1; // inside the two bytes of γ
    fs.writeFileSync(file, bytes.subarray(0, cut));
    assert.deepEqual((await tail.read()).events, []);
    fs.appendFileSync(file, bytes.subarray(cut));
    assert.deepEqual((await tail.read()).events, [log]);
  });

  it('numbers bad lines across reads and resets when the file is rewritten shorter', async () => {
    const file = tempFile();
    const tail = new MetricsTail(file);
    fs.writeFileSync(file, line(started) + 'not json\n');
    assert.deepEqual((await tail.read()).badLines, [2]);
    fs.appendFileSync(file, line(row(1)) + '[1,2]\n');
    const second = await tail.read();
    assert.deepEqual(second.events, [row(1)]);
    assert.deepEqual(second.badLines, [4]);
    fs.writeFileSync(file, line(started));
    const again = await tail.read();
    assert.equal(again.reset, true);
    assert.deepEqual(again.events, [started]);
  });

  it('follows a run being appended to: rows as they come, running while fresh, interrupted when silent, completed at done', async () => {
    const file = tempFile();
    fs.writeFileSync(file, line(started) + line(row(1)));
    let now = fs.statSync(file).mtimeMs;
    const updates: RunUpdate[] = [];
    const follower = new RunFollower((u) => updates.push({ ...u, rows: [...u.rows] }), { pollMs: 0, watch: false, now: () => now });
    try {
      const { history, problem } = await follower.follow('a', file);
      assert.equal(problem, null);
      assert.equal(history.status, 'running');
      assert.deepEqual(history.rows.map((r) => r.step), [1]);
      await follower.poll();
      assert.equal(updates.length, 0, 'no update without new lines');
      fs.appendFileSync(file, line(row(2)) + '{"type":"metr');
      now = fs.statSync(file).mtimeMs;
      await follower.poll();
      assert.deepEqual(updates.map((u) => u.rows.map((r) => r.step)), [[2]]);
      now += LIVE_WRITE_WINDOW_MS + 1;
      await follower.poll();
      assert.equal(updates.at(-1)!.history.status, 'interrupted');
      assert.deepEqual(updates.at(-1)!.rows, []);
      fs.appendFileSync(file, 'ics","row":{"step":3,"loss":0.3},"time":3}\n' + line({ type: 'done', reason: 'completed', step: 3, time: 4 }));
      now = fs.statSync(file).mtimeMs;
      await follower.poll();
      const last = updates.at(-1)!;
      assert.deepEqual(last.rows.map((r) => r.step), [3]);
      assert.equal(last.history.status, 'completed');
      assert.deepEqual(follower.history('a')!.rows.map((r) => r.step), [1, 2, 3]);
      now += 10 * LIVE_WRITE_WINDOW_MS;
      await follower.poll();
      assert.equal(follower.history('a')!.status, 'completed', 'a finished run stays finished');
    } finally {
      follower.dispose();
    }
    assert.equal(follower.history('a'), null);
  });

  it('reads of one run never overlap: polls that come together read the appended lines once', async () => {
    const file = tempFile();
    fs.writeFileSync(file, line(started) + line(row(1)));
    const updates: RunUpdate[] = [];
    const follower = new RunFollower((u) => updates.push({ ...u, rows: [...u.rows] }), { pollMs: 0, watch: false });
    try {
      await follower.follow('a', file);
      fs.appendFileSync(file, line(row(2)) + line(row(3)));
      await Promise.all([follower.poll(), follower.poll(), follower.poll('a')]);
      assert.deepEqual(updates.flatMap((u) => u.rows.map((r) => r.step)), [2, 3]);
      assert.deepEqual(follower.history('a')!.rows.map((r) => r.step), [1, 2, 3]);
    } finally {
      follower.dispose();
    }
  });

  it('a metrics.jsonl over the size cap is not followed: the tail throws, follow() says why', async () => {
    const file = tempFile();
    fs.writeFileSync(file, line(started));
    fs.truncateSync(file, READ_LIMITS.jsonl.maxBytes + 1); // sparse: no disk used, and no newline for 256 MiB
    await assert.rejects(new MetricsTail(file).read(), /over the \d+-byte limit for this file: not following it/);
    const follower = new RunFollower(() => undefined, { pollMs: 0, watch: false });
    try {
      const followed = await follower.follow('big', file);
      assert.match(followed.problem ?? '', /metrics\.jsonl is \d+ bytes, over the/);
      assert.deepEqual(followed.history.rows, []);
    } finally {
      follower.dispose();
    }
  });
});
