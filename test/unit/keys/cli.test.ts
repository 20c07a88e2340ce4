// `spo keys` end to end on a fixture with JSON escapes and bad records.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { PassThrough } from 'stream';
import { keysCommand, PairKeysRecord } from '../../../src/cli/commands/keys';
import { UsageError } from '../../../src/cli/command';
import { FIXTURES_DIR } from '../../helpers/paths';

const FIXTURE = path.join(FIXTURES_DIR, 'keys', 'escapes.jsonl');

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await keysCommand.run(argv, { stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

test('--json writes one object per pair with raw ranges through escapes', async () => {
  const { code, stdout, stderr } = await run([FIXTURE, '--json']);
  assert.equal(code, 0);
  const records = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as PairKeysRecord);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 6]);
  assert.deepEqual(stderr.trimEnd().split('\n').map((l) => l.replace(/: .*/, ':')), [`${FIXTURE}:4:`, `${FIXTURE}:5:`]);

  const rawLines = fs.readFileSync(FIXTURE, 'utf8').split('\n');
  let escaped = 0;
  for (const r of records) {
    for (const key of [...r.chosen.keys, ...r.rejected.keys]) {
      assert.ok(key.raw);
      const cut = rawLines[key.raw.line - 1].slice(key.raw.start, key.raw.end);
      if (cut !== key.text) escaped++;
      assert.equal(JSON.parse(`"${cut}"`), key.text);
    }
  }
  assert.ok(escaped >= 2, 'the fixture\'s \\u escapes should be exercised');

  const creme = records[1].chosen.keys.find((k) => k.phrase === 'crème brûlée');
  assert.ok(creme);
  assert.equal(rawLines[1].slice(creme.raw!.start, creme.raw!.end), 'Cr\\u00e8me br\\u00fbl\\u00e9e');
  assert.equal(creme.shared, true);
  const paris = records[2];
  assert.deepEqual(paris.degree, { data: 0, chosenOnly: ['paris'], rejectedOnly: ['lyon'], sharedPhrases: ['capital city', 'france'] });
});

test('--max-keys limits distinct phrases per response', async () => {
  const { stdout } = await run([FIXTURE, '--json', '--max-keys', '1']);
  for (const line of stdout.trimEnd().split('\n')) {
    const r = JSON.parse(line) as PairKeysRecord;
    assert.equal(new Set(r.chosen.keys.map((k) => k.phrase)).size, 1);
    assert.equal(new Set(r.rejected.keys.map((k) => k.phrase)).size, 1);
  }
});

test('plain mode prints a summary per pair and a total', async () => {
  const { code, stdout } = await run([FIXTURE]);
  assert.equal(code, 0);
  assert.match(stdout, /^line 6 {2}data degree {2}0\.00 {2}\(1 chosen-only, 1 rejected-only, 2 shared\)$/m);
  assert.match(stdout, /^ {2}chosen: {3}"capital city"\* 4\.0 · "Paris" 1\.0 · "France"\* 1\.0$/m);
  assert.match(stdout, /^3 pairs, 2 bad records skipped/m);
});

test('usage errors and unreadable files', async () => {
  await assert.rejects(run([FIXTURE, '--max-keys', '0']), UsageError);
  await assert.rejects(run([FIXTURE, '--format', 'csv']), UsageError);
  await assert.rejects(run([]), UsageError);
  const missing = await run([path.join(FIXTURES_DIR, 'keys', 'missing.jsonl')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /missing\.jsonl/);
});
