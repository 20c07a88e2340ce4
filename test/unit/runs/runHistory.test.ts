// The fold of a run's events into what the curves panel draws: each row keeps the split its metrics event
// named (live events, and older files through upgradeTrainerEvent), and `done` decides the status as it says.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { MetricsSplit, TrainerEvent } from '../../../src/core/protocol';
import { applyEvent, emptyHistory, historyFromEvents, parseMetricsText } from '../../../src/core/runs';

const started: TrainerEvent = { type: 'started', runDir: 'r', runName: 'r', backend: 'cpu', backendNote: '', totalSteps: 4, config: {}, time: 0 };
const metrics = (split: MetricsSplit, row: { step: number; [k: string]: number }): TrainerEvent => ({ type: 'metrics', split, row, time: 0 });

describe('run history splits', () => {
  it('keeps each row with the split of its event, in the order logged', () => {
    const h = historyFromEvents('r', [started, metrics('train', { step: 1, loss: 0.9 }), metrics('eval', { step: 1, 'eval/loss': 0.95 }), metrics('train', { step: 2, loss: 0.8 })]);
    assert.deepEqual(h.rows.map((r) => r.step), [1, 1, 2]);
    assert.deepEqual(h.splits, ['train', 'eval', 'train']);
  });

  it('supersedes rows by split, not by metric names: a resumed run replaces only the rows of the same split', () => {
    // An eval row whose metric names carry no `eval/` prefix is still an eval row: the event says so.
    const h = emptyHistory('r');
    applyEvent(h, started);
    applyEvent(h, metrics('train', { step: 1, loss: 0.9 }));
    applyEvent(h, metrics('eval', { step: 2, loss: 0.7 }));
    applyEvent(h, metrics('train', { step: 2, loss: 0.8 }));
    const resumed = applyEvent(h, metrics('train', { step: 2, loss: 0.75 }));
    assert.equal(resumed.replaced, true);
    assert.deepEqual(resumed.splits, ['train']);
    assert.deepEqual(h.rows.map((r) => [r.step, r.loss]), [[1, 0.9], [2, 0.7], [2, 0.75]]);
    assert.deepEqual(h.splits, ['train', 'eval', 'train']);
  });

  it('reads the split of an older file from its metric names (rows written before `split` existed)', () => {
    const text = [started, { type: 'metrics', row: { step: 1, loss: 0.9 }, time: 1 }, { type: 'metrics', row: { step: 1, 'eval/loss': 0.95 }, time: 2 }]
      .map((e) => JSON.stringify(e)).join('\n') + '\n';
    const h = historyFromEvents('r', parseMetricsText(text, true).events);
    assert.deepEqual(h.splits, ['train', 'eval']);
  });

  it('a stop after the last step is shown as stopped, with the trainer message; a completion as completed', () => {
    const stopped = historyFromEvents('r', [started, metrics('train', { step: 4, loss: 0.5 }),
      { type: 'done', reason: 'stopped', step: 4, message: 'stopped on request before the per-example degrees were written', time: 1 }]);
    assert.equal(stopped.status, 'stopped');
    assert.match(stopped.doneMessage ?? '', /before the per-example degrees/);
    const completed = historyFromEvents('r', [started, metrics('train', { step: 4, loss: 0.5 }), { type: 'done', reason: 'completed', step: 4, time: 1 }]);
    assert.equal(completed.status, 'completed');
  });
});
