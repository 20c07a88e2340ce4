// Word scanning and phrase normalisation: the hand-written scanner must find exactly the words the
// documented regex finds.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { classifyGap, normalizePhrase, tokenizeWords } from '../../../src/core/keys/words';

const SPEC = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['\u2019-][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;

const SAMPLES = [
  "don't 'quoted' well- -x a--b x’’y it’s rock'n'roll e-mail 3-4",
  'Crème brûlée cafe\u0301 naïve Ærøskøbing straße İstanbul',
  '我喜欢机器学习。深度学习很有趣 日本語のテキスト',
  '😀 rocket 🚀science 𝒜𝒷𝒸 ١٢٣ हिन्दी текст',
  '\u0301lead mark, trailing\' hyphen- end',
  '',
];

test('the scanner finds the words the documented regex finds', () => {
  for (const text of SAMPLES) {
    const expected = [...text.matchAll(SPEC)].map((m) => [m.index, m.index! + m[0].length]);
    assert.deepEqual(tokenizeWords(text).map((w) => [w.start, w.end]), expected, text);
  }
});

test('normalised words are lower case with ASCII apostrophes', () => {
  assert.deepEqual(tokenizeWords('It’s WELL-known').map((w) => w.norm), ["it's", 'well-known']);
  assert.equal(normalizePhrase('Straße ÆRØ'), 'straße ærø');
});

test('gaps: spaces join words, line breaks and punctuation do not', () => {
  const t = 'a \t\u00a0b\nc, d';
  assert.equal(classifyGap(t, 1, 4), 'space');
  assert.equal(classifyGap(t, 5, 6), 'line-break');
  assert.equal(classifyGap(t, 7, 9), 'other');
  assert.equal(classifyGap(t, 3, 3), 'other');
});
