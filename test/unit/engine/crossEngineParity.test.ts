// Cross-engine step-1 parity (issue #12 §6, docs/engine-contract.md "Step-1 parity"): on a small random
// Llama in HF layout (with the SPO heads both engines start from), `spo train --engine tfjs` and
// `--engine torch` run one step with the same flags (γ 0.1, K 4, β 0.1, all 4 pairs in the batch, the
// same key spans and variant draws); their logged loss, loss/align, loss/spo_pref and loss/spo_dispref
// agree within 1e-4 relative, with each other and with spo_torch.parity's from-scratch reference, and
// `spo score` gives the reference's summed response log-probs.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/paths';
import { runCli } from '../../helpers/cliRun';
import type { MetricsRow, TrainerEvent } from '../../../src/core/protocol/trainer';
import { choosePython, pythonChildEnv } from '../../../src/core/engine/pythonLocation';
import { PairScore, scoreCommand } from '../../../src/cli/commands/score';

const ENTRY = path.join(REPO_ROOT, 'out', 'src', 'trainer', 'main.js');
const COMPARED = ['loss', 'loss/align', 'loss/spo_pref', 'loss/spo_dispref'] as const;
const TOLERANCE = 1e-4;

interface ReferenceSequence {
  index: number;
  side: 'chosen' | 'rejected';
  logp_sum: number;
  variant: { kept: boolean; label: number; removed: number; text: string };
}
interface Reference {
  step1: Record<string, number>;
  sequences: ReferenceSequence[];
}

const relativeGap = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);

/** Gaps above the tolerance, by name (NaN counts as a gap): empty when the numbers agree. */
function gapsOver(want: Record<string, number>, got: Record<string, number>, names: readonly string[]): Record<string, string> {
  const bad: Record<string, string> = {};
  for (const k of names) {
    const gap = relativeGap(want[k], got[k]);
    if (!(gap <= TOLERANCE)) bad[k] = `${got[k]} vs ${want[k]} (relative gap ${gap})`;
  }
  return bad;
}

function runTrainer(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = fork(ENTRY, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

function stepOneRow(runDir: string): MetricsRow {
  const events = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
  const row = events.flatMap((e) => (e.type === 'metrics' && e.split === 'train' && e.row.step === 1 ? [e.row] : []))[0];
  assert.ok(row, `${runDir}: no step-1 metrics row`);
  return row;
}

const runScore = (args: string[]) => runCli(scoreCommand, args);

describe('cross-engine step-1 parity', () => {
  const python = choosePython().command;
  let dir: string;
  let model: string;
  let data: string;
  let tfjsRow: MetricsRow;
  let torchRow: MetricsRow;
  let reference: Reference;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-parity-'));
    // The Python side's fixture: the model folder (random Llama, word-level tokenizer, spo_heads.safetensors)
    // and four pairs; the pairs go to both engines as a plain data file, so the TS side extracts the keys.
    execFileSync(python, ['-m', 'spo_torch.fixtures', 'parity', path.join(dir, 'fixture')], { env: pythonChildEnv(), stdio: 'ignore', timeout: 300_000 });
    model = path.join(dir, 'fixture', 'model');
    data = path.join(dir, 'pairs.jsonl');
    const fixturePairs = fs.readFileSync(path.join(dir, 'fixture', 'run', 'pairs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    fs.writeFileSync(data, fixturePairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');

    const flags = (engine: string, out: string) => [
      '--engine', engine, '--data', data, '--model', model, '--out', out, '--batch-size', '4', '--max-steps', '1',
      ...['spo_gamma=0.1', 'spo_classes=4', 'beta=0.1', 'seed=42', 'learning_rate=1e-3', 'max_length=128', 'eval_fraction=0',
        'eval_steps=0', 'save_steps=0', 'logging_steps=1', 'write_degrees=false', 'backend=cpu'].flatMap((kv) => ['--set', kv]),
    ];
    const tfjsRun = path.join(dir, 'tfjs');
    const torchRun = path.join(dir, 'torch');
    const tfjs = await runTrainer(flags('tfjs', tfjsRun));
    assert.equal(tfjs.code, 0, tfjs.stderr);
    const torch = await runTrainer(flags('torch', torchRun));
    assert.equal(torch.code, 0, torch.stderr);
    tfjsRow = stepOneRow(tfjsRun);
    torchRow = stepOneRow(torchRun);
    // The from-scratch reference (plain transformers forwards) on the pairs.jsonl the TS side wrote for torch.
    const code = 'import json, sys\nfrom spo_torch.parity import reference_step1\nprint(json.dumps(reference_step1(sys.argv[1], sys.argv[2])))';
    reference = JSON.parse(execFileSync(python, ['-c', code, model, torchRun], { env: pythonChildEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 300_000 }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the fixture exercises cut variants in both heads and heads away from ln K', () => {
    for (const side of ['chosen', 'rejected'] as const) {
      const cut = reference.sequences.filter((s) => s.side === side && s.variant.kept && s.variant.removed > 0);
      assert.ok(cut.length > 0, `some ${side} variant has key spans removed`);
    }
    for (const k of ['loss/spo_pref', 'loss/spo_dispref']) assert.ok(Math.abs(reference.step1[k] - Math.log(4)) > 0.01, `${k} ${reference.step1[k]} is not ln 4`);
  });

  it('TF.js and torch log the same step-1 losses', (t) => {
    t.diagnostic(`step 1: ${COMPARED.map((k) => `${k} tfjs ${tfjsRow[k]} torch ${torchRow[k]} reference ${reference.step1[k]}`).join('; ')}`);
    t.diagnostic(`max relative gap tfjs–torch ${Math.max(...COMPARED.map((k) => relativeGap(tfjsRow[k], torchRow[k])))}, tfjs–reference ${Math.max(...COMPARED.map((k) => relativeGap(tfjsRow[k], reference.step1[k])))}`);
    assert.deepEqual(gapsOver(torchRow, tfjsRow, COMPARED), {});
    assert.equal(tfjsRow['spo/coverage'], torchRow['spo/coverage']);
  });

  it('both agree with the from-scratch reference, log-probs included', () => {
    const names = [...COMPARED, 'logps/chosen', 'logps/rejected'];
    assert.deepEqual(gapsOver(reference.step1, tfjsRow, names), {});
    assert.deepEqual(gapsOver(reference.step1, torchRow, COMPARED), {});
  });

  it('spo score gives the reference log-prob of every response', async () => {
    const res = await runScore(['--model', model, '--data', data, '--json', '--backend', 'cpu']);
    assert.equal(res.code, 0, res.stderr);
    const scores = JSON.parse(res.stdout) as PairScore[];
    assert.equal(scores.length, 4);
    const want: Record<string, number> = {};
    const got: Record<string, number> = {};
    for (const s of reference.sequences) {
      want[`${s.index}/${s.side}`] = s.logp_sum;
      got[`${s.index}/${s.side}`] = s.side === 'chosen' ? scores[s.index].logp_chosen : scores[s.index].logp_rejected;
    }
    assert.equal(Object.keys(want).length, 8);
    assert.deepEqual(gapsOver(want, got, Object.keys(want)), {});
  });
});
