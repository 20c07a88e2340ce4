// `spo bench engines`: the torch and TF.js engines train the same random Llama on the same pairs, batch and
// max length, and the bench prints each one's tokens/s, step time, threads and BLAS.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/paths';
import { engineFigures } from '../../../src/cli/commands/benchEngines';
import type { TrainerEvent } from '../../../src/core/protocol/trainer';

const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli', 'main.js');

function events(reason: 'completed' | 'failed', steps: Array<[number, number, number]>): TrainerEvent[] {
  return [
    { type: 'started', runDir: '/r', runName: 'r', backend: 'wasm', backendNote: '', totalSteps: steps.length, config: {}, pid: 1, host: 'h', engine: 'tfjs', device: 'cpu', time: 0 } as unknown as TrainerEvent,
    ...steps.map(([step, time, tps]) => ({ type: 'metrics', split: 'train', row: { step, loss: 0.7, tokens_per_second: tps }, time }) as unknown as TrainerEvent),
    { type: 'done', reason, step: steps.length, time: 99_999 } as TrainerEvent,
  ];
}

describe('spo bench engines', () => {
  it('takes the median over the steps after the first, from the logged tokens/s and the step events', () => {
    const f = engineFigures(events('completed', [[1, 5000, 10], [2, 5300, 400], [3, 5500, 300], [4, 6500, 100]]));
    assert.deepEqual(f, { backend: 'wasm', device: 'cpu', timed_steps: 3, tokens_per_s: 300, step_ms: 300 });
    assert.throws(() => engineFigures(events('failed', [[1, 1, 1], [2, 2, 2]])), /did not complete \(failed/);
    assert.throws(() => engineFigures(events('completed', [[1, 1, 1]])), /fewer than 2 logged steps/);
  });

  it('measures both engines on one model, with their threads and BLAS', { timeout: 15 * 60_000 }, () => {
    const r = spawnSync(process.execPath, [CLI, 'bench', 'engines', '--json', '--steps', '3', '--batch', '2', '--max-length', '48', '--pairs', '8'], {
      encoding: 'utf8', timeout: 14 * 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.batch, 2);
    assert.equal(out.max_length, 48);
    assert.equal(out.tfjs.engine, 'tfjs');
    assert.equal(out.torch.engine, 'torch');
    assert.equal(out.torch.backend, 'torch-cpu');
    assert.match(out.torch.device, /^cpu \(\d+ threads\)$/);
    for (const side of [out.tfjs, out.torch]) {
      assert.equal(side.timed_steps, 2);
      assert.ok(side.tokens_per_s > 0 && side.step_ms > 0, JSON.stringify(side));
      assert.ok(Number.isInteger(side.threads) && side.threads >= 1, `${side.engine} threads`);
    }
    assert.match(out.torch.kernels, /^torch \S+, BLAS \S+/);
    assert.match(out.tfjs.kernels, /XNNPACK|libtensorflow|pure JS/);
    assert.equal(out.torch_tfjs_ratio, +(out.torch.tokens_per_s / out.tfjs.tokens_per_s).toFixed(3));
  });
});
