// The experiment split: deterministic for a seed, disjoint, complete, and recorded as source lines.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadPreferenceFile } from '../../../src/core/data';
import { splitPairs } from '../../../src/core/experiment/split';
import { HH_SAMPLE } from '../../helpers/paths';

const fakePairs = (n: number): Array<{ line: number }> => Array.from({ length: n }, (_, i) => ({ line: 3 * i + 1 }));

test('the same seed gives the same split; another seed gives another', () => {
  const pairs = fakePairs(200);
  const a = splitPairs(pairs, 0.2, 7);
  const b = splitPairs(pairs, 0.2, 7);
  const c = splitPairs(pairs, 0.2, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.heldOut, c.heldOut);
});

test('train and held-out are disjoint, cover every pair, and have the requested size', () => {
  const pairs = fakePairs(101);
  const s = splitPairs(pairs, 0.2, 1);
  assert.equal(s.heldOut.length, 20); // round(0.2 · 101)
  assert.equal(s.train.length, 81);
  const held = new Set(s.heldOut);
  assert.ok(s.train.every((i) => !held.has(i)));
  assert.deepEqual([...s.train, ...s.heldOut].sort((x, y) => x - y), Array.from({ length: 101 }, (_, i) => i));
  assert.deepEqual(s.heldOutLines, s.heldOut.map((i) => pairs[i].line));
  assert.deepEqual(s.trainLines, s.train.map((i) => pairs[i].line));
  // Both lists are in file order, so the recorded lines read naturally.
  assert.deepEqual(s.heldOut, [...s.heldOut].sort((x, y) => x - y));
});

test('tiny data still leaves one pair on each side; bad fractions are refused', () => {
  const s = splitPairs(fakePairs(2), 0.01, 3);
  assert.equal(s.heldOut.length, 1);
  assert.equal(s.train.length, 1);
  assert.equal(splitPairs(fakePairs(3), 0.99, 3).train.length, 1);
  assert.throws(() => splitPairs(fakePairs(10), 0, 1), /held-out fraction must be in \(0, 1\), got 0/);
  assert.throws(() => splitPairs(fakePairs(10), 1.5, 1), /got 1.5/);
  assert.throws(() => splitPairs(fakePairs(1), 0.2, 1), /at least 2 pairs/);
});

test('on the real HH sample the held-out lines point at the pairs they name', async () => {
  const { pairs } = await loadPreferenceFile(HH_SAMPLE);
  const s = splitPairs(pairs, 0.2, 1234);
  assert.equal(s.heldOut.length, Math.round(0.2 * pairs.length));
  const byLine = new Map(pairs.map((p) => [p.line, p]));
  for (const [k, i] of s.heldOut.entries()) assert.equal(byLine.get(s.heldOutLines[k]), pairs[i]);
  assert.equal(new Set([...s.trainLines, ...s.heldOutLines]).size, pairs.length);
});
