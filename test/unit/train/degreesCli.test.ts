// `spo degrees`: reads a run's degrees.jsonl and lists examples hardest first.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { main } from '../../../src/cli/main';
import type { DegreeRecord } from '../../../src/core/protocol';

function record(line: number, margin: number): DegreeRecord {
  return {
    index: line - 1, line, split: line % 2 ? 'train' : 'eval',
    model: { margin, probability: 1 / (1 + Math.exp(-margin)), chosenReward: margin, rejectedReward: 0 },
    spo: { pref: { probs: [0.7, 0.1, 0.1, 0.1], expected: 0.6 }, dispref: { probs: [0.1, 0.1, 0.1, 0.7], expected: 2.4 } },
    data: { degree: 0.5, chosenOnly: ['a'], rejectedOnly: [] },
  };
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => { out += d; });
  stderr.on('data', (d) => { err += d; });
  const code = await main(argv, { stdout, stderr });
  return { code, out, err };
}

describe('spo degrees', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-degrees-'));
    fs.writeFileSync(path.join(dir, 'degrees.jsonl'), [record(3, 1.5), record(5, -0.7), record(9, 0.2)].map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints JSON lines hardest first (smallest margin), honouring --limit', async () => {
    const { code, out } = await run(['degrees', '--run', dir, '--json', '--limit', '2']);
    assert.equal(code, 0);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l) as DegreeRecord);
    assert.deepEqual(rows.map((r) => r.line), [5, 9]);
  });

  it('prints a table with margins, P(chosen ≻ rejected), E[c] and the data degree', async () => {
    const { code, out } = await run(['degrees', '--run', dir]);
    assert.equal(code, 0);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /margin/);
    assert.match(lines[1], /^\s+5\s+train\s+-0\.700\s+0\.332\s+0\.60\s+2\.40\s+0\.50$/);
    assert.equal(lines.length, 4);
  });

  it("prints the torch engine's records too (no data degree: '-'), hardest first", async () => {
    const torch = path.join(dir, 'torch');
    fs.mkdirSync(torch);
    const rec = (line: number, margin: number) => ({ ...record(line, margin), split: 'eval', spo: null, data: null });
    fs.writeFileSync(path.join(torch, 'degrees.jsonl'), [rec(2, 0.4), rec(4, -0.1)].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const { code, out } = await run(['degrees', '--run', torch]);
    assert.equal(code, 0);
    const lines = out.trim().split('\n');
    assert.match(lines[1], /^\s+4\s+eval\s+-0\.100\s+0\.475\s+-\s+-\s+-$/);
    assert.match(lines[2], /^\s+2\s+eval\s+0\.400\s+0\.599\s+-\s+-\s+-$/);
  });

  it('names the file and line of a bad record and exits 2', async () => {
    const bad = path.join(dir, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'degrees.jsonl'), JSON.stringify(record(1, 0.2)) + '\n' + JSON.stringify({ ...record(2, 0), model: null }) + '\n');
    const { code, err } = await run(['degrees', '--run', bad]);
    assert.equal(code, 2);
    assert.match(err, /bad[/\\]degrees\.jsonl:2: "model" lacks a number/);
  });

  it('names the missing file of a folder that is not a finished run', async () => {
    const { code, err } = await run(['degrees', '--run', path.join(dir, 'nope')]);
    assert.equal(code, 2);
    assert.match(err, /nope[/\\]degrees\.jsonl does not exist/);
  });
});
