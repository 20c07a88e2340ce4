// Which runs Resume Training offers (stopped / failed / crashed with a complete checkpoint), and a
// resumed run's history: the first attempt's rows past the checkpoint give way to the new ones.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TrainerEvent } from '../../../src/core/protocol';
import { applyEvent, emptyHistory, historyFromEvents, lastOutcome, listResumableRunsAsync, resumableRunNamedAsync, resumeArgs } from '../../../src/core/runs';

const started = (): TrainerEvent => ({ type: 'started', runDir: 'r', runName: 'r', backend: 'cpu', backendNote: '', totalSteps: 10, config: {}, time: 0 });
const row = (step: number, loss: number, evalRow = false): TrainerEvent =>
  ({ type: 'metrics', split: evalRow ? 'eval' : 'train', row: evalRow ? { step, 'eval/loss': loss } : { step, loss }, time: 0 });
const done = (reason: 'completed' | 'stopped' | 'failed', step: number): TrainerEvent => ({ type: 'done', reason, step, time: 0 });

/** A run folder as the trainer leaves it: config.json, metrics.jsonl, complete checkpoints (trainer_state.json). */
function writeRun(runsDir: string, name: string, events: TrainerEvent[], checkpoints: Array<{ step: number; complete: boolean }>): void {
  const dir = path.join(runsDir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ data: 'hh.jsonl', max_steps: 10, loss: 'sigmoid' }));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  for (const c of checkpoints) {
    const ck = path.join(dir, 'checkpoints', `step-${c.step}`);
    fs.mkdirSync(ck, { recursive: true });
    if (c.complete) fs.writeFileSync(path.join(ck, 'trainer_state.json'), '{}');
  }
}

describe('resumable runs', () => {
  let runsDir: string;
  before(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-resumable-'));
    writeRun(runsDir, '20261127-000001', [started(), row(1, 0.7), row(2, 0.6), done('stopped', 2)], [{ step: 2, complete: true }]);
    writeRun(runsDir, '20261127-000002', [started(), row(1, 0.7), row(2, 0.6), row(3, 0.5)], [{ step: 2, complete: true }, { step: 4, complete: false }]);
    writeRun(runsDir, '20261127-000003', [started(), row(1, 0.7), done('completed', 1)], [{ step: 1, complete: true }]);
    writeRun(runsDir, '20261127-000004', [started(), row(1, 0.7), done('stopped', 1)], []);
    writeRun(runsDir, '20261127-000005', [started(), row(1, NaN), done('failed', 1)], [{ step: 1, complete: true }]);
    writeRun(runsDir, '20261127-000007', [started(), row(10, 0.7), done('stopped', 10)], [{ step: 10, complete: true }]); // at max_steps
    // Stopped, resumed, then crashed: the last attempt decides.
    writeRun(runsDir, '20261127-000006', [started(), row(1, 0.7), done('stopped', 1), started(), row(2, 0.6)], [{ step: 1, complete: true }]);
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('tells how the last attempt ended', () => {
    assert.equal(lastOutcome([]), 'not-started');
    assert.equal(lastOutcome([started(), row(1, 1)]), 'crashed');
    assert.equal(lastOutcome([started(), done('stopped', 1), started()]), 'crashed');
    assert.equal(lastOutcome([started(), done('stopped', 1), started(), done('completed', 5)]), 'completed');
  });

  it('lists stopped, crashed and failed runs with a complete checkpoint, newest first', async () => {
    const { runs: found, truncated } = await listResumableRunsAsync(runsDir);
    assert.equal(truncated, false);
    assert.deepEqual(found.map((r) => [r.run.name, r.outcome, r.checkpointStep, r.lastStep]), [
      ['20261127-000006', 'crashed', 1, 2],
      ['20261127-000005', 'failed', 1, 1],
      ['20261127-000002', 'crashed', 2, 3], // step-4 has no trainer_state.json: incomplete
      ['20261127-000001', 'stopped', 2, 2],
    ]);
    assert.equal(found[0].maxSteps, 10);
    assert.deepEqual((await listResumableRunsAsync(runsDir, '20261127-000006')).runs.map((r) => r.run.name)[0], '20261127-000005');
    assert.deepEqual(await listResumableRunsAsync(path.join(runsDir, 'missing')), { runs: [], truncated: false });
  });

  it('finds a run by name without the listing (older than its cap), and refuses names that are not one folder', async () => {
    const named = await resumableRunNamedAsync(runsDir, '20261127-000002');
    assert.deepEqual(named && [named.run.name, named.outcome, named.checkpointStep], ['20261127-000002', 'crashed', 2]);
    assert.equal(await resumableRunNamedAsync(runsDir, 'missing'), null);
    for (const bad of ['', '.', '..', '../20261127-000002', '20261127-000002/', 'a\nb']) {
      assert.equal(await resumableRunNamedAsync(runsDir, bad), null, JSON.stringify(bad));
    }
  });

  it('builds the trainer command line', () => {
    assert.deepEqual(resumeArgs('/w/.spo/runs/r'), ['--resume', '--output-dir', '/w/.spo/runs/r']);
    assert.deepEqual(resumeArgs('/w/.spo/runs/r', 12), ['--resume', '--output-dir', '/w/.spo/runs/r', '--max-steps', '12']);
  });

  it('a run stopped at its last step stays stopped: the user can tell it from a completed one', () => {
    assert.equal(historyFromEvents('r', [started(), row(10, 0.5), done('stopped', 10)]).status, 'stopped');
    assert.equal(historyFromEvents('r', [started(), row(10, 0.5), done('completed', 10)]).status, 'completed');
    assert.equal(historyFromEvents('r', [started(), row(9, 0.5), done('stopped', 9)]).status, 'stopped');
  });

  it('a resumed run replaces the rows logged after its checkpoint, train and eval separately', () => {
    const events = [started(), row(1, 0.9), row(2, 0.8), row(2, 0.85, true), row(3, 0.7), /* crash */ started(), row(3, 0.65), row(4, 0.6), row(4, 0.62, true), done('completed', 4)];
    const h = historyFromEvents('r', events);
    assert.equal(h.status, 'completed');
    assert.deepEqual(h.rows.filter((r) => 'loss' in r).map((r) => [r.step, r.loss]), [[1, 0.9], [2, 0.8], [3, 0.65], [4, 0.6]]);
    assert.deepEqual(h.rows.filter((r) => 'eval/loss' in r).map((r) => r.step), [2, 4]);
    const live = emptyHistory('r');
    applyEvent(live, started());
    assert.equal(applyEvent(live, row(1, 0.9)).replaced, false);
    assert.equal(applyEvent(live, row(2, 0.8)).replaced, false);
    assert.equal(applyEvent(live, row(2, 0.7)).replaced, true);
    assert.deepEqual(live.rows.map((r) => r.loss), [0.9, 0.7]);
  });
});
