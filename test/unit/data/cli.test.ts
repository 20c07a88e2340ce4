// `spo inspect` and `spo convert` end to end on fixtures and the real HH sample, output captured.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { PassThrough } from 'stream';
import { FIXTURES_DIR, HH_SAMPLE } from '../../helpers/paths';
import { inspectCommand } from '../../../src/cli/commands/inspect';
import { convertCommand } from '../../../src/cli/commands/convert';
import { CliCommand, UsageError } from '../../../src/cli/command';
import { loadPreferenceFile, parsePreferenceText } from '../../../src/core/data';

const fixture = (name: string) => path.join(FIXTURES_DIR, 'data', name);

async function run(command: CliCommand, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const code = await command.run(argv, { stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('spo inspect', () => {
  it('--json reports format, pairs, bad lines and length statistics', async () => {
    const { code, stdout } = await run(inspectCommand, [fixture('bad-lines.jsonl'), '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.format, 'trl');
    assert.equal(report.pairs, 3);
    assert.deepEqual(report.errors.map((e: { line: number }) => e.line), [2, 4, 5, 7, 8, 10, 11]);
    assert.equal(report.errors[3].message, '"rejected" must be a string or a list of messages, got number');
    // chosen texts: "good one", "c9", "c12" → lengths 8, 2, 3.
    assert.deepEqual(report.stats.chosen, { min: 2, mean: 13 / 3, median: 3, max: 8 });
  });

  it('prints a readable summary and FILE:LINE: message for each bad line', async () => {
    const file = fixture('bad-lines.jsonl');
    const { code, stdout, stderr } = await run(inspectCommand, [file]);
    assert.equal(code, 0);
    assert.match(stdout, /format:\s+trl/);
    assert.match(stdout, /pairs:\s+3/);
    assert.ok(stderr.includes(`${file}:7: "rejected" must be a string or a list of messages, got number\n`));
    assert.equal(stderr.trim().split('\n').length, 7);
  });

  it('reads the HH sample: format hh, 2000 pairs, no errors', async () => {
    const { code, stdout } = await run(inspectCommand, [HH_SAMPLE, '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.format, 'hh');
    assert.equal(report.pairs, 2000);
    assert.deepEqual(report.errors, []);
    assert.ok(report.stats.prompt.min > 0 && report.stats.chosen.max >= report.stats.chosen.median);
  });

  it('fails clearly for a missing file, an unknown format and bad flags', async () => {
    const missing = await run(inspectCommand, [fixture('nope.jsonl')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*nope\.jsonl: no such file/);
    const unknown = await run(inspectCommand, [path.join(FIXTURES_DIR, '..', '..', 'package.json')]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no record could be read as a preference pair/);
    await assert.rejects(run(inspectCommand, [fixture('trl.jsonl'), '--format', 'csv']), (e: Error) => e instanceof UsageError && /unknown format 'csv'/.test(e.message));
    await assert.rejects(run(inspectCommand, []), UsageError);
  });
});

describe('spo convert', () => {
  it('writes TRL JSONL with source_line that reads back as the same pairs', async () => {
    const file = fixture('bad-lines.jsonl');
    const { code, stdout, stderr } = await run(convertCommand, [file, '--to', 'trl']);
    assert.equal(code, 0);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records, [
      { prompt: 'p1', chosen: 'good one', rejected: 'bad one', source_line: 1 },
      { prompt: 'p9', chosen: 'c9', rejected: 'r9', source_line: 9 },
      { prompt: 'p12', chosen: 'c12', rejected: 'r12', source_line: 12 },
    ]);
    assert.equal(stderr.trim().split('\n').length, 7);
    assert.ok(stderr.startsWith(`${file}:2: not valid JSON`));
  });

  it('converts HH to explicit-prompt TRL and keeps conversational lists', async () => {
    const hh = await run(convertCommand, [HH_SAMPLE]);
    assert.equal(hh.code, 0);
    const original = await loadPreferenceFile(HH_SAMPLE);
    const back = parsePreferenceText(hh.stdout);
    assert.equal(back.format, 'trl');
    assert.equal(back.pairs.length, 2000);
    back.pairs.forEach((p, i) => {
      assert.equal(p.prompt.text, original.pairs[i].prompt.text);
      assert.equal(p.chosen.text, original.pairs[i].chosen.text);
      assert.equal(p.rejected.text, original.pairs[i].rejected.text);
    });
    const conv = await run(convertCommand, [fixture('trl-conversational.jsonl')]);
    const second = JSON.parse(conv.stdout.trim().split('\n')[1]);
    assert.deepEqual(second.prompt, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi "there"' }]);
    assert.deepEqual(second.chosen, [{ role: 'assistant', content: 'Hello! 👋' }]);
    assert.equal(second.source_line, 2);
  });
});
