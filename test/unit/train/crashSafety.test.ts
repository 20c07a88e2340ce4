// Issue 13 §5: checkpoints are written to a temporary folder and renamed into place, resume validates the
// newest checkpoint and falls back to the previous complete one (saying so), and a torn metrics.jsonl tail
// is ended with a newline before the resumed run appends to it.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { tinyConfig } from '../../helpers/tinyRun';
import { train } from '../../../src/core/train/trainer';
import { checkpointProblem, chooseResumeCheckpoint } from '../../../src/core/train/checkpoint';
import { RunFolder } from '../../../src/core/train/runFolder';
import { repairTornTail } from '../../../src/core/fs/safeFiles';
import type { TrainerEvent } from '../../../src/core/protocol/trainer';

describe('crash-safe checkpoints and resume (issue 13 §5)', () => {
  let dir: string;
  let data: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-crash-'));
    data = path.join(dir, 'demo.jsonl');
    const pairs = generateDemoPairs({ count: 24, seed: 7 });
    fs.writeFileSync(data, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a half-written trainer_state.json in the newest checkpoint: resume falls back to the previous one, and a torn metrics tail gets its own line', async () => {
    const runDir = path.join(dir, 'torn-state');
    assert.equal((await train({ config: tinyConfig(data), runDir })).reason, 'completed');
    // Checkpoints are renamed into place: no temporary folder is left behind.
    assert.deepEqual(fs.readdirSync(path.join(runDir, 'checkpoints')).sort(), ['step-2', 'step-4']);
    const state = path.join(runDir, 'checkpoints', 'step-4', 'trainer_state.json');
    fs.writeFileSync(state, fs.readFileSync(state, 'utf8').slice(0, 40)); // a crash mid-write (older versions wrote in place)
    const metrics = path.join(runDir, 'metrics.jsonl');
    fs.appendFileSync(metrics, '{"type":"metrics","row":{"step":5,"lo'); // a crash mid-append
    const events: TrainerEvent[] = [];
    const resumed = await train({ config: tinyConfig(data, { max_steps: 6 }), runDir, resume: true, hooks: { onEvent: (e) => events.push(e) } });
    assert.equal(resumed.reason, 'completed');
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    assert.ok(logs.some((m) => /skipping checkpoint step-4: .*trainer_state\.json/.test(m)), logs.join('\n'));
    assert.ok(logs.some((m) => /resumed from .*step-2 at step 2/.test(m)), logs.join('\n'));
    const lines = fs.readFileSync(metrics, 'utf8').split('\n').filter((l) => l !== '');
    const torn = lines.findIndex((l) => l.endsWith('"lo'));
    assert.ok(torn >= 0, 'the torn fragment is still there, alone on its line');
    const after = lines.slice(torn + 1).map((l) => JSON.parse(l) as TrainerEvent);
    assert.equal(after[0].type, 'started', 'the resumed run\'s started event is not glued onto the fragment');
  });

  it('a truncated model.safetensors in the newest checkpoint is skipped, naming the file', async () => {
    const runDir = path.join(dir, 'torn-model');
    assert.equal((await train({ config: tinyConfig(data), runDir })).reason, 'completed');
    const model = path.join(runDir, 'checkpoints', 'step-4', 'model.safetensors');
    fs.truncateSync(model, Math.floor(fs.statSync(model).size / 2));
    assert.match(checkpointProblem(path.dirname(model)) ?? '', /model\.safetensors.*data_offsets/);
    const run = new RunFolder(runDir);
    const chosen = chooseResumeCheckpoint(run.checkpointSteps(), (s) => run.checkpointDir(s));
    assert.equal(chosen?.step, 2);
    assert.equal(chosen?.skipped[0].step, 4);
    const resumed = await train({ config: tinyConfig(data, { max_steps: 5 }), runDir, resume: true });
    assert.equal(resumed.reason, 'completed');
    // Every checkpoint is complete again: step-4 was rewritten in place by the resumed run.
    assert.equal(checkpointProblem(path.join(runDir, 'checkpoints', 'step-4')), null);
  });

  it('repairTornTail ends a torn last line once and leaves a clean file alone', () => {
    const f = path.join(dir, 'tail.jsonl');
    fs.writeFileSync(f, '{"a":1}\n{"b":');
    assert.equal(repairTornTail(f), true);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"a":1}\n{"b":\n');
    assert.equal(repairTornTail(f), false);
    assert.equal(repairTornTail(path.join(dir, 'missing.jsonl')), false);
  });
});
