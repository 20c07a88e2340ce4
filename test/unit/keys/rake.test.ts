// RAKE on hand-worked texts: candidates, degree/freq scores, ranking, spans, Unicode.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RakeExtractor, splitCandidates, wordStatistics } from '../../../src/core/keys/rake';
import { SMART_STOPWORDS } from '../../../src/core/keys/stopwords';
import { KeySpan } from '../../../src/core/keys/types';

const rake = new RakeExtractor();
const STOP = new Set(SMART_STOPWORDS);

function assertSpansSliceText(text: string, spans: KeySpan[]): void {
  for (const s of spans) assert.equal(text.slice(s.start, s.end), s.text, `span ${s.start}-${s.end}`);
}

// Hand-worked example. SMART stopwords here: need, is, and.
//   Candidates: [deep learning models] [large training data] [Large training data] [costly]
//               [deep learning] [slow]
//   freq:   deep 2, learning 2, models 1, large 2, training 2, data 2, costly 1, slow 1
//   degree (sum of the lengths of the candidates each occurrence is in):
//           deep 3+2=5, learning 5, models 3, large 3+3=6, training 6, data 6, costly 1, slow 1
//   score = degree/freq: deep 2.5, learning 2.5, models 3, large 3, training 3, data 3, costly 1, slow 1
//   phrases: large training data 3+3+3=9; deep learning models 2.5+2.5+3=8; deep learning 5;
//            costly 1; slow 1 (tie with costly, broken by position: costly first)
const EXAMPLE = 'Deep learning models need large training data. Large training data is costly, and deep learning is slow.';

test('candidates are maximal non-stopword runs split by punctuation', () => {
  const phrases = splitCandidates(EXAMPLE, STOP).map((c) => c.phrase);
  assert.deepEqual(phrases, [
    'deep learning models', 'large training data', 'large training data', 'costly', 'deep learning', 'slow',
  ]);
});

test('word scores are degree / freq', () => {
  const stats = wordStatistics(splitCandidates(EXAMPLE, STOP));
  assert.deepEqual(stats.get('deep'), { freq: 2, degree: 5, score: 2.5 });
  assert.deepEqual(stats.get('models'), { freq: 1, degree: 3, score: 3 });
  assert.deepEqual(stats.get('large'), { freq: 2, degree: 6, score: 3 });
  assert.deepEqual(stats.get('slow'), { freq: 1, degree: 1, score: 1 });
});

test('phrases ranked by summed word score, every occurrence a span, ties by position', () => {
  const spans = rake.extract(EXAMPLE, 8);
  assert.deepEqual(spans.map((s) => [s.text, s.score]), [
    ['large training data', 9],
    ['Large training data', 9],
    ['Deep learning models', 8],
    ['deep learning', 5],
    ['costly', 1],
    ['slow', 1],
  ]);
  assert.equal(spans[0].start, EXAMPLE.indexOf('large training data'));
  assert.equal(spans[1].start, EXAMPLE.indexOf('Large training data'));
  assertSpansSliceText(EXAMPLE, spans);
});

test('maxKeys counts distinct phrases', () => {
  assert.deepEqual(rake.extract(EXAMPLE, 1).map((s) => s.text), ['large training data', 'Large training data']);
  assert.deepEqual(rake.extract(EXAMPLE, 4).map((s) => s.text).slice(-1), ['costly']);
  assert.equal(rake.extract(EXAMPLE, 5).length, 6);
  assert.deepEqual(rake.extract(EXAMPLE, 0), []);
  assert.deepEqual(rake.extract(EXAMPLE, -3), []);
});

test('spans never overlap', () => {
  const spans = rake.extract(EXAMPLE, 100).slice().sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1].end <= spans[i].start);
});

test('line breaks end a candidate; spaces and tabs do not', () => {
  assert.deepEqual(splitCandidates('red apples\ngreen pears', STOP).map((c) => c.phrase), ['red apples', 'green pears']);
  assert.deepEqual(splitCandidates('red apples \t green pears', STOP).map((c) => c.phrase), ['red apples green pears']);
  assert.deepEqual(splitCandidates('red apples\r\ngreen pears', STOP).map((c) => c.phrase), ['red apples', 'green pears']);
});

test('numbers-only candidates are dropped, numbers inside a phrase stay', () => {
  assert.deepEqual(rake.extract('42, 17 and 99.', 8), []);
  assert.deepEqual(splitCandidates('2024: 10 000 apples', STOP).map((c) => c.phrase), ['10 000 apples']);
});

test('responses with no candidates give no keys', () => {
  assert.deepEqual(rake.extract('', 8), []);
  assert.deepEqual(rake.extract('I am sure it is.', 8), []);
  assert.deepEqual(rake.extract('!!! ... ???\n\n', 8), []);
});

test('apostrophes: typographic and ASCII fold together, stopword contractions split', () => {
  const text = 'I don’t like the friend’s car. The friend\'s car is red.';
  const spans = rake.extract(text, 8);
  assertSpansSliceText(text, spans);
  // don’t, like, the, is are stopwords; "friend’s car" and "friend's car" are one phrase.
  assert.deepEqual(spans.map((s) => s.text), ['friend’s car', "friend's car", 'red']);
  assert.equal(spans[0].score, spans[1].score);
});

test('case-insensitive scoring keeps the original text in spans', () => {
  const spans = rake.extract('NEURAL NETWORKS. Neural networks.', 8);
  assert.deepEqual(spans.map((s) => s.text), ['NEURAL NETWORKS', 'Neural networks']);
});

test('non-ASCII text: accents, combining marks, CJK, astral characters', () => {
  const french = 'Café crème brûlée, très délicieux';
  const fr = rake.extract(french, 8);
  assertSpansSliceText(french, fr);
  assert.deepEqual(fr.map((s) => s.text), ['Café crème brûlée', 'très délicieux']);

  const decomposed = 'cafe\u0301 au lait';
  assert.deepEqual(rake.extract(decomposed, 8).map((s) => s.text), [decomposed]);

  const cjk = '我喜欢机器学习。深度学习很有趣';
  const zh = rake.extract(cjk, 8);
  assertSpansSliceText(cjk, zh);
  assert.deepEqual(zh.map((s) => s.text).sort(), ['我喜欢机器学习', '深度学习很有趣'].sort());

  const emoji = '😀 rocket science 😀';
  const em = rake.extract(emoji, 8);
  assert.deepEqual(em.map((s) => [s.start, s.end, s.text]), [[3, 17, 'rocket science']]);
});

test('custom stopwords replace the SMART list', () => {
  const custom = new RakeExtractor({ stopwords: ['Models'] });
  assert.deepEqual(custom.extract('deep learning models need data', 8).map((s) => s.text), ['deep learning', 'need data']);
});
