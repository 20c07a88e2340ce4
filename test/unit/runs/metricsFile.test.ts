// metrics.jsonl reader: complete files, a torn last line (crash or mid-write), bad lines in the middle,
// and the fold into a run history (rows, alerts incl. NaN, status) the curves panel draws.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TrainerEvent } from '../../../src/core/protocol';
import { historyFromEvents, metricsToCsv, parseMetricsText, readMetricsFileAsync } from '../../../src/core/runs';
import { RunFollower } from '../../../src/core/runs/runFollower';

const events: TrainerEvent[] = [
  { type: 'started', runDir: '/r/a', runName: 'a', backend: 'cpu', backendNote: '', totalSteps: 3, config: {}, time: 1 },
  { type: 'metrics', split: 'train', row: { step: 1, loss: 0.9, 'loss/align': 0.69, 'rewards/chosen': 0.01 }, time: 2 },
  { type: 'metrics', split: 'train', row: { step: 2, loss: 0.8, 'loss/align': 0.65, 'rewards/chosen': 0.02 }, time: 3 },
  { type: 'metrics', split: 'eval', row: { step: 2, 'eval/loss': 0.85 }, time: 4 },
  { type: 'alert', code: 'plateau', step: 2, message: 'stuck at ln 2', time: 5 },
  { type: 'checkpoint', step: 2, path: '/r/a/checkpoints/step-2', time: 6 },
  { type: 'done', reason: 'stopped', step: 2, time: 7 },
];
const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('metrics.jsonl reader', () => {
  it('reads every event of a complete file', () => {
    const parsed = parseMetricsText(text, true);
    assert.deepEqual(parsed.events, events);
    assert.deepEqual(parsed.badLines, []);
    assert.equal(parsed.consumedBytes, Buffer.byteLength(text));
  });

  it('skips a torn last line without reporting it, in a finished file and mid-write', () => {
    const torn = text + '{"type":"metrics","row":{"step":3,"lo';
    for (const final of [true, false]) {
      const parsed = parseMetricsText(torn, final);
      assert.equal(parsed.events.length, events.length, `final=${final}`);
      assert.deepEqual(parsed.badLines, []);
    }
    // Mid-write, only complete lines are consumed, so a follow-up read resumes at the torn line.
    assert.equal(parseMetricsText(torn, false).consumedBytes, Buffer.byteLength(text));
  });

  it('reports a garbled line in the middle by its 1-based number and keeps the rest', () => {
    const lines = text.split('\n');
    lines.splice(2, 0, '{not json', '[1,2]');
    const parsed = parseMetricsText(lines.join('\n'), true);
    assert.deepEqual(parsed.badLines, [3, 4]);
    assert.equal(parsed.events.length, events.length);
  });

  it('reads a truncated file from disk; a missing file is an empty run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-metrics-'));
    try {
      const file = path.join(dir, 'metrics.jsonl');
      fs.writeFileSync(file, text.slice(0, text.length - 20)); // cut inside the `done` line
      const parsed = await readMetricsFileAsync(file);
      assert.deepEqual(parsed.events, events.slice(0, -1));
      assert.deepEqual((await readMetricsFileAsync(path.join(dir, 'nope.jsonl'))).events, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('run history', () => {
  it('folds events into rows, alerts, status and the last checkpoint', () => {
    const h = historyFromEvents('a', events);
    assert.equal(h.status, 'stopped');
    assert.equal(h.totalSteps, 3);
    assert.equal(h.rows.length, 3);
    assert.deepEqual(h.alerts.map((a) => a.code), ['plateau']);
    assert.deepEqual(h.lastCheckpoint, { step: 2, path: '/r/a/checkpoints/step-2' });
  });

  it('a file that ends without `done` is an interrupted run when replayed, a running one when live', () => {
    assert.equal(historyFromEvents('a', events.slice(0, 3)).status, 'interrupted');
    assert.equal(historyFromEvents('a', events.slice(0, 3), true).status, 'running');
  });

  it('raises one NaN alert for a NaN metric (JSON writes NaN as null)', () => {
    const nanRow = JSON.parse(JSON.stringify({ type: 'metrics', row: { step: 3, loss: NaN }, time: 8 })) as TrainerEvent;
    const h = historyFromEvents('a', [...events.slice(0, 3), nanRow, nanRow]);
    assert.deepEqual(h.alerts.map((a) => [a.code, a.step]), [['nan', 3]]);
    assert.match(h.alerts[0].message, /loss is NaN at step 3/);
  });

  it('exports rows of several runs as CSV with one column per metric', () => {
    const csv = metricsToCsv([{ name: 'a', rows: historyFromEvents('a', events).rows }, { name: 'b,2', rows: [{ step: 1, loss: 1.5 }] }]);
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'run,step,eval/loss,loss,loss/align,rewards/chosen');
    assert.equal(lines[1], 'a,1,,0.9,0.69,0.01');
    assert.equal(lines[3], 'a,2,0.85,,,');
    assert.equal(lines[4], '"b,2",1,,1.5,,');
  });
});

describe('a malformed metrics.jsonl line', () => {
  it('is reported by line and skipped: the follower keeps the rest of the run (an older file without split reads too)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-bad-line-'));
    const file = path.join(dir, 'metrics.jsonl');
    const lines = [
      JSON.stringify(events[0]),
      '{"type":"metrics"}',
      '{"type":"alert","code":"boom","step":1,"message":"x","time":1}',
      JSON.stringify({ type: 'metrics', row: { step: 1, loss: 0.9 }, time: 2 }), // written before `split` existed
      JSON.stringify({ type: 'metrics', row: { step: 1, 'eval/loss': 0.95 }, time: 3 }),
    ];
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const follower = new RunFollower(() => undefined, { watch: false });
    const followed = await follower.follow('a', file);
    assert.equal(followed.problem, null, 'a malformed line does not stop the read');
    assert.deepEqual(followed.badLines, [2, 3]);
    assert.deepEqual(followed.history.rows.map((r) => Object.keys(r).filter((k) => k !== 'step')), [['loss'], ['eval/loss']]);
    assert.deepEqual((await readMetricsFileAsync(file)).events.filter((e) => e.type === 'metrics').map((e) => e.type === 'metrics' && e.split), ['train', 'eval']);
    follower.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
