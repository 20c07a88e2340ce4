// Run-folder discovery: newest first by name, only real runs, the run with degrees for a dataset,
// checkpoints by step; and the Train SPO request → trainer command line, checked by the trainer's own parser.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseTrainArgs } from '../../../src/trainer/run';
import { checkNumberField, listRunsAsync, lookUpDegreesRunAsync, newestCheckpointAsync, pathsFingerprintAsync, newRunName, parseDegreesText, resolveTrainChoices, trainerArgs, TrainChoices, validateTrainChoices, writeRunConfig } from '../../../src/core/runs';
import { HH_SAMPLE } from '../../helpers/paths';

describe('run folders', () => {
  let runs: string;
  before(() => {
    runs = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-runs-'));
    const make = (name: string, files: Record<string, string>) => {
      fs.mkdirSync(path.join(runs, name), { recursive: true });
      for (const [f, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(runs, name, f)), { recursive: true });
        fs.writeFileSync(path.join(runs, name, f), text);
      }
    };
    make('20261126-090000', { 'config.json': JSON.stringify({ data: 'data/a.jsonl' }), 'degrees.jsonl': '' });
    make('20261127-100000', { 'metrics.jsonl': '', 'config.json': JSON.stringify({ data: 'data/b.jsonl' }), 'degrees.jsonl': '' });
    make('20261127-110000', { 'metrics.jsonl': '', 'config.json': JSON.stringify({ data: 'data/a.jsonl' }), 'checkpoints/step-10/trainer_state.json': '{}', 'checkpoints/step-2/trainer_state.json': '{}', 'checkpoints/step-30/model.safetensors': '', 'checkpoints/tmp/x': '' });
    make('not-a-run', { 'notes.txt': 'x' });
  });
  after(() => fs.rmSync(runs, { recursive: true, force: true }));

  it('lists runs newest first and skips folders that are not runs', async () => {
    assert.deepEqual((await listRunsAsync(runs)).runs.map((r) => r.name), ['20261127-110000', '20261127-100000', '20261126-090000']);
    assert.deepEqual(await listRunsAsync(path.join(runs, 'missing')), { runs: [], truncated: false });
  });

  it('finds the newest run with degrees.jsonl trained on the same data file', async () => {
    const base = '/ws';
    assert.equal((await lookUpDegreesRunAsync(runs, '/ws/data/a.jsonl', base)).run?.name, '20261126-090000'); // the newer one has no degrees
    assert.equal((await lookUpDegreesRunAsync(runs, '/ws/data/b.jsonl', base)).run?.name, '20261127-100000');
    assert.equal((await lookUpDegreesRunAsync(runs, '/ws/data/c.jsonl', base)).run, null);
  });

  it('says which paths a degrees lookup depends on, and their fingerprint changes when a newer run writes its degrees', async () => {
    const base = '/ws';
    const { run, dependsOn } = await lookUpDegreesRunAsync(runs, '/ws/data/a.jsonl', base);
    assert.equal(run?.name, '20261126-090000');
    // The runs folder, the newer runs without degrees (still training, maybe), and the found run's own files.
    assert.deepEqual(dependsOn, [runs, path.join(runs, '20261127-110000'), path.join(runs, '20261126-090000', 'degrees.jsonl'), path.join(runs, '20261126-090000', 'config.json')]);
    const before = await pathsFingerprintAsync(dependsOn);
    assert.equal(await pathsFingerprintAsync(dependsOn), before);
    const newer = path.join(runs, '20261127-110000', 'degrees.jsonl');
    fs.writeFileSync(newer, '');
    try {
      assert.notEqual(await pathsFingerprintAsync(dependsOn), before);
      assert.equal((await lookUpDegreesRunAsync(runs, '/ws/data/a.jsonl', base)).run?.name, '20261127-110000');
    } finally {
      fs.rmSync(newer);
    }
  });

  it('finds the highest complete checkpoint (step-30 lacks trainer_state.json: still being written)', async () => {
    const run = path.join(runs, '20261127-110000');
    assert.deepEqual(await newestCheckpointAsync(run), { step: 10, dir: path.join(run, 'checkpoints', 'step-10') });
    assert.equal(await newestCheckpointAsync(path.join(runs, '20261126-090000')), null);
  });

  it('looks into only the newest few checkpoint folders: thousands of incomplete ones are not a resumable run', async () => {
    const run = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-many-checkpoints-'));
    try {
      fs.mkdirSync(path.join(run, 'checkpoints', 'step-1'), { recursive: true });
      fs.writeFileSync(path.join(run, 'checkpoints', 'step-1', 'trainer_state.json'), '{}');
      for (let step = 2; step <= 3000; step++) fs.mkdirSync(path.join(run, 'checkpoints', `step-${step}`));
      assert.equal(await newestCheckpointAsync(run), null);
      fs.writeFileSync(path.join(run, 'checkpoints', 'step-2990', 'trainer_state.json'), '{}');
      assert.equal((await newestCheckpointAsync(run))?.step, 2990);
    } finally {
      fs.rmSync(run, { recursive: true, force: true });
    }
  });

  it('names runs like the trainer does, so both sort together', () => {
    assert.equal(newRunName(new Date(Date.UTC(2026, 10, 27, 0, 20, 5))), '20261127-002005');
  });
});

describe('degrees.jsonl', () => {
  it('reads the trainer record shape (model.probability, heads as {probs, expected}) keyed by line', () => {
    const line = JSON.stringify({ index: 0, line: 7, model: { margin: -0.5, probability: 0.377 }, spo: { pref: { probs: [0.5, 0.5], expected: 0.5 }, dispref: { probs: [0.25, 0.75], expected: 0.75 } }, data: { degree: 0.25 } });
    const map = parseDegreesText(`${line}\n{"line":8,"spo":null,"data":{"degree":-1}}\ngarbage\n`);
    assert.deepEqual(map.get(7), { line: 7, index: 0, model: { margin: -0.5, prob: 0.377 }, spo: { pref: [0.5, 0.5], dispref: [0.25, 0.75], prefExpected: 0.5, disprefExpected: 0.75 }, data: 0.25 });
    assert.deepEqual(map.get(8), { line: 8, data: -1 });
    assert.equal(map.size, 2);
  });
});

describe('train request', () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-request-'));
  const request = (over: TrainChoices = {}): TrainChoices => ({
    data: HH_SAMPLE, model: null, loss_type: ['ipo'], spo_gamma: 0.5, spo_classes: 6, beta: 0.2, max_steps: 7, backend: 'cpu', output_dir: runDir, seed: 3,
    max_pairs: 32, tiny_sft_steps: 2, ...over,
  });

  it('writes the resolved choices to the run folder, and the trainer parses them back to the same config', () => {
    const resolved = resolveTrainChoices([{ values: request() }], runDir);
    assert.ok('config' in resolved, JSON.stringify(resolved));
    writeRunConfig(resolved.config);
    const { config, runDir: parsedDir } = parseTrainArgs(trainerArgs(resolved.config));
    assert.equal(parsedDir, runDir);
    assert.equal(config.data, HH_SAMPLE);
    assert.deepEqual([config.loss_type, config.spo_gamma, config.spo_classes, config.beta, config.max_steps, config.seed, config.backend, config.max_pairs, config.tiny_sft_steps, config.model],
      [['ipo'], 0.5, 6, 0.2, 7, 3, 'cpu', 32, 2, null]);
    assert.deepEqual(config, resolved.config);
  });

  it('names the field at fault', () => {
    assert.equal(validateTrainChoices(request()), null);
    assert.match(validateTrainChoices(request({ beta: 0 }))!, /^β \(beta\): .*"beta" must be a number > 0/);
    assert.match(validateTrainChoices(request({ spo_classes: 1 }))!, /^K \(SPO classes\): .*spo_classes/);
    assert.match(validateTrainChoices(request({ max_steps: 2.5 }))!, /^max steps: .*integer/);
    assert.match(validateTrainChoices(request({ data: '/nope/x.jsonl' }))!, /Dataset not found: \/nope\/x\.jsonl/);
    assert.match(validateTrainChoices(request({ model: '/tmp' }))!, /Model folder \/tmp has no config\.json/);
    assert.equal(checkNumberField('γ', 'abc', 0, 1, false), 'γ must be a number');
    assert.equal(checkNumberField('K', '2.5', 2, 64, true), 'K must be an integer');
    assert.equal(checkNumberField('β', '0', 0, 1, false, true), 'β must be > 0');
    assert.equal(checkNumberField('γ', '0.3', 0, 1, false), null);
  });
});
