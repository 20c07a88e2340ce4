// Editor highlights for visible JSONL lines: raw columns, sides, shared flags, ranks, degree, cache.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { parsePreferenceLine, isReadIssue } from '../../../src/core/data';
import { analyzePair, computeKeyDecorations, KeyDecorationCache, LineSource, RakeExtractor } from '../../../src/core/keys';
import { FIXTURES_DIR } from '../../helpers/paths';

const LINES = fs.readFileSync(path.join(FIXTURES_DIR, 'keys', 'escapes.jsonl'), 'utf8').split('\n');
const rake = new RakeExtractor();

function doc(lines: string[]): LineSource {
  return { lineCount: lines.length, getLine: (i) => lines[i] };
}

test('every decoration covers the raw characters of its key, per side, with the pair degree', () => {
  const decorations = computeKeyDecorations(doc(LINES), { first: 0, last: LINES.length - 1 }, { extractor: rake, maxKeys: 8 });
  // Lines 1, 2 and 6 are pairs; 3 is blank, 4 and 5 are bad records, 7 is the empty last line.
  assert.deepEqual([...new Set(decorations.map((d) => d.line))], [1, 2, 6]);
  for (const d of decorations) {
    assert.equal(d.pairLine, d.line);
    const pair = parsePreferenceLine(LINES[d.line - 1], d.line);
    assert.ok(pair && !isReadIssue(pair));
    const analysis = analyzePair(pair, rake, 8);
    const key = analysis[d.side].keys.find((k) => pair[d.side].source!.toRaw(k.start, k.end).start === d.start);
    assert.ok(key, `no ${d.side} key at line ${d.line} column ${d.start}`);
    assert.equal(JSON.parse(`"${LINES[d.line - 1].slice(d.start, d.end)}"`), key.text);
    assert.deepEqual([d.phrase, d.score, d.rank, d.shared, d.degree], [key.phrase, key.score, key.rank, key.shared, analysis.degree.data]);
  }
  const line6 = decorations.filter((d) => d.line === 6);
  assert.deepEqual(line6.map((d) => [d.side, d.phrase, d.shared, d.rank]), [
    ['chosen', 'capital city', true, 1], ['chosen', 'paris', false, 2], ['chosen', 'france', true, 3],
    ['rejected', 'capital city', true, 1], ['rejected', 'lyon', false, 2], ['rejected', 'france', true, 3],
  ]);
});

test('only the visible range is decorated, clamped to the document', () => {
  const visible = computeKeyDecorations(doc(LINES), { first: 1, last: 4 }, { extractor: rake, maxKeys: 8 });
  assert.deepEqual([...new Set(visible.map((d) => d.line))], [2]);
  const clamped = computeKeyDecorations(doc(LINES), { first: -10, last: 1000 }, { extractor: rake, maxKeys: 8 });
  assert.deepEqual([...new Set(clamped.map((d) => d.line))], [1, 2, 6]);
});

test('the per-line cache gives the same decorations, at whatever line the text is', () => {
  let extractions = 0;
  const counting = { name: rake.name, extract: (text: string, maxKeys: number) => (extractions++, rake.extract(text, maxKeys)) };
  const cache = new KeyDecorationCache(8);
  const options = { extractor: counting, maxKeys: 8, cache };
  const first = computeKeyDecorations(doc(LINES), { first: 0, last: 6 }, options);
  assert.equal(cache.size, 5); // the non-blank lines 1, 2, 4, 5, 6; bad records cached as "none"
  assert.equal(extractions, 6); // two responses for each of the three pairs
  assert.deepEqual(computeKeyDecorations(doc(LINES), { first: 0, last: 6 }, options), first);
  assert.equal(extractions, 6);

  // The same texts moved down by two lines: served from the cache, with the new line numbers.
  const shifted = ['', '', ...LINES];
  const moved = computeKeyDecorations(doc(shifted), { first: 0, last: 8 }, options);
  assert.deepEqual(moved, first.map((d) => ({ ...d, line: d.line + 2, pairLine: d.pairLine + 2 })));
  assert.equal(extractions, 6);
  // A different maxKeys is a different result, not a stale hit.
  const fewer = computeKeyDecorations(doc(LINES), { first: 5, last: 5 }, { ...options, maxKeys: 1 });
  assert.deepEqual(fewer.map((d) => d.phrase), ['capital city', 'capital city']);
  assert.equal(extractions, 8);
});
