// The one degrees.jsonl reader (issue 11 §3): both engines' records, strict mode naming file:line at the
// first bad line (spo degrees), lenient mode skipping and counting bad lines (the views); the one JSONL line
// loop under it; the one hardest-first order.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DegreeRecord } from '../../../src/core/protocol';
import { formatDegree } from '../../../src/core/protocol';
import {
  compareHardestFirst, DegreeLineError, degreeRecordProblem, parseDegreesJsonl, readDegreeRecords, readDegreesFileAsync,
} from '../../../src/core/runs';
import { eachJsonlLine, JsonlEntry } from '../../../src/core/runs/jsonlLines';

/** A record as the TS trainer writes it (src/core/train/degrees.ts). */
const tsRecord = (line: number, margin: number): DegreeRecord => ({
  index: line - 1, line, split: 'train',
  model: { margin, probability: 1 / (1 + Math.exp(-margin)), chosenReward: margin, rejectedReward: 0 },
  spo: { pref: { probs: [0.75, 0.25], expected: 0.25 }, dispref: { probs: [0.5, 0.5], expected: 0.5 } },
  data: { degree: 0.5, chosenOnly: ['lock picking'], rejectedOnly: [] },
});

/** A record as the torch engine writes it (python/spo_torch/degrees.py): no data degree, maybe no heads. */
const torchRecord = (line: number, margin: number, split: 'train' | 'eval' = 'eval') => ({
  index: line - 1, line, split,
  model: { margin, probability: 1 / (1 + Math.exp(-margin)), chosenReward: margin / 2, rejectedReward: -margin / 2 },
  spo: null,
  data: null,
});

const jsonl = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join('\n') + '\n';

describe('the JSONL line loop', () => {
  it('numbers lines in the file from firstLine, skips blank ones, and reports unparsable ones', () => {
    const seen: JsonlEntry[] = [];
    const count = eachJsonlLine('{"a":1}\n\n  \nnot json\n{"b":2}\r\n', 10, (e) => seen.push(e));
    assert.equal(count, 5, 'a final newline ends the last line, it does not start a sixth');
    assert.deepEqual(seen.map((e) => e.line), [10, 13, 14]);
    assert.deepEqual((seen[0] as { value: unknown }).value, { a: 1 });
    assert.ok('error' in seen[1] && /JSON/.test(seen[1].error), JSON.stringify(seen[1]));
    assert.deepEqual((seen[2] as { value: unknown }).value, { b: 2 });
    assert.equal(eachJsonlLine('', 1, () => assert.fail('no lines')), 0);
    assert.equal(eachJsonlLine('{"torn":', 1, () => undefined), 1, 'text without a final newline still holds its last line');
  });
});

describe('degrees.jsonl, strict (spo degrees)', () => {
  it("accepts both engines' records unchanged", () => {
    const records = parseDegreesJsonl(jsonl([tsRecord(3, 1.5), torchRecord(5, -0.7)]), { strict: true, file: 'run/degrees.jsonl' });
    assert.deepEqual(records, [tsRecord(3, 1.5), torchRecord(5, -0.7)]);
    assert.equal(degreeRecordProblem(torchRecord(1, 0)), null);
  });

  it('names the file and the line of the first bad line, and why it is bad', () => {
    const file = 'run/degrees.jsonl';
    const parse = (text: string) => () => parseDegreesJsonl(text, { strict: true, file });
    assert.throws(parse(`${JSON.stringify(tsRecord(1, 0))}\n\n{"line": 2,\n`), (err: unknown) => {
      assert.ok(err instanceof DegreeLineError);
      assert.equal(err.line, 3);
      assert.match(err.message, /^run\/degrees\.jsonl:3: not valid JSON/);
      return true;
    });
    // JSON writes a NaN margin (a diverged run) as null: a clear error rather than a crash while printing.
    const nan = { ...tsRecord(4, 0), model: { ...tsRecord(4, 0).model, margin: null } };
    assert.throws(parse(jsonl([tsRecord(1, 0), nan])), /^DegreeLineError: run\/degrees\.jsonl:2: "model" lacks a number for margin/);
    assert.throws(parse(jsonl([{ ...tsRecord(1, 0), split: 'test' }])), /degrees\.jsonl:1: "split" is neither/);
    assert.throws(parse(jsonl([{ ...tsRecord(1, 0), spo: { pref: { probs: [], expected: 0 } } }])), /:1: "spo" is neither null/);
    assert.throws(parse(jsonl([{ ...tsRecord(1, 0), data: { degree: 0.5 } }])), /:1: "data" is neither null/);
    assert.throws(parse(jsonl([[1, 2]])), /:1: not a JSON object/);
  });
});

describe('degrees.jsonl, lenient (the degree views)', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-degrees-read-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads both engines' records by line, skipping and counting lines with no record", async () => {
    const file = path.join(dir, 'degrees.jsonl');
    fs.writeFileSync(file, `${jsonl([tsRecord(3, 1.5), torchRecord(5, -0.7)])}garbage\n{"no":"line"}\n\n`);
    const read = await readDegreesFileAsync(file);
    assert.equal(read.problem, null);
    assert.equal(read.skipped, 2);
    assert.deepEqual([...read.records.keys()], [3, 5]);
    assert.deepEqual(read.records.get(5), { line: 5, index: 4, model: { margin: -0.7, prob: torchRecord(5, -0.7).model.probability } });
    assert.equal(read.records.get(3)?.data, 0.5);
    assert.deepEqual(read.records.get(3)?.spo, { pref: [0.75, 0.25], dispref: [0.5, 0.5], prefExpected: 0.25, disprefExpected: 0.5 });
  });

  it('the strict reader refuses the same file at its first bad line', () => {
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(file, `${jsonl([tsRecord(3, 1.5)])}garbage\n`);
    assert.throws(() => readDegreeRecords(file), (err: unknown) => err instanceof DegreeLineError && err.file === file && err.line === 2 && err.message.startsWith(`${file}:2: not valid JSON`));
  });
});

describe('the hardest-first order and the degree format', () => {
  it('lowest margin first, examples without one last; then lowest data degree; then file order', () => {
    const keys = [
      { line: 1, margin: null, data: -0.5 },
      { line: 2, margin: 0.3, data: 0.9 },
      { line: 3, margin: -1.2, data: 0 },
      { line: 4, margin: 0.3, data: -0.1 },
      { line: 5, margin: null, data: -0.5 },
      { line: 6, margin: null, data: -0.9 },
    ];
    assert.deepEqual(keys.slice().sort(compareHardestFirst).map((k) => k.line), [3, 4, 2, 6, 1, 5]);
  });

  it('signs positive degrees and prints three decimals', () => {
    assert.deepEqual([1 / 3, -0.25, 0, 1].map(formatDegree), ['+0.333', '-0.250', '0.000', '+1.000']);
  });
});
