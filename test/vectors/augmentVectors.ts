// The shared test vectors of the degree augmenter (docs/engine-contract.md): built from the TS
// implementation, committed as test/vectors/augment.json, and checked by both engines' suites. The TS
// suite also rebuilds them and fails when the committed file differs, so the file cannot drift from the code.
import * as path from 'path';
import { RakeExtractor } from '../../src/core/keys/rake';
import type { KeySpan } from '../../src/core/keys/types';
import { DegreeAugmenter, removeSpans } from '../../src/core/train/augmenter';
import { drawInt, drawSpanIndices, drawU32, drawUniform, mix32, removedSpanCount, variantKey } from '../../src/core/train/variantDraws';

export const AUGMENT_VECTORS_FILE = path.join('test', 'vectors', 'augment.json');

interface Span { start: number; end: number; text: string; score: number }

const span = (text: string, start: number, end: number, score = 1): Span => ({ start, end, text: text.slice(start, end), score });
/** The span of the first occurrence of `phrase` at or after `from` (UTF-16 offsets, as JavaScript indexes). */
const find = (text: string, phrase: string, from = 0): Span => {
  const start = text.indexOf(phrase, from);
  if (start < 0) throw new Error(`vector text lacks "${phrase}"`);
  return span(text, start, start + phrase.length);
};

/** removeSpans cases: each pins one rule of the cut-and-collapse (punctuation, spaces, nesting, encodings). */
function removeSpansCases(): Array<{ name: string; text: string; spans: Span[] }> {
  const t = (name: string, text: string, spans: (text: string) => Span[]) => ({ name, text, spans: spans(text) });
  return [
    t('comma after the cut drops the space before it', 'Try the red apple, then the green pear now.', (s) => [find(s, 'red apple')]),
    t('two cuts given out of order', 'Try the red apple, then the green pear now.', (s) => [find(s, 'green pear'), find(s, 'Try')]),
    t('full stop after the last word', 'Try the red apple, then the green pear now.', (s) => [find(s, 'now')]),
    t('question mark and closing parenthesis', 'Is it (really) safe? Yes (mostly) fine!', (s) => [find(s, 'really'), find(s, 'safe'), find(s, 'mostly')]),
    t('semicolon, colon and exclamation', 'First point ; second point: third point !', (s) => [find(s, 'First point'), find(s, 'second point'), find(s, 'third point')]),
    t('leading space kept, cut at the start of the words', ' Hello world', (s) => [find(s, 'Hello')]),
    t('cut at the very start of the text', 'Hello world again', (s) => [find(s, 'Hello')]),
    t('trailing spaces after the last cut', 'the world is big  ', (s) => [find(s, 'big')]),
    t('cut at the very end of the text', 'the world is big', (s) => [find(s, 'big')]),
    t('whole text removed', 'everything', (s) => [span(s, 0, s.length)]),
    t('nested span inside another', 'keep the red apple here', (s) => [find(s, 'the red apple'), find(s, 'red')]),
    t('duplicate spans', 'one two three four', (s) => [find(s, 'two'), find(s, 'two')]),
    t('partially overlapping spans', 'alpha beta gamma delta', (s) => [span(s, 6, 16), span(s, 11, 22)]),
    t('adjacent spans with no space between', 'redapple pie', (s) => [span(s, 0, 3), span(s, 3, 8)]),
    t('empty span', 'nothing cut here', (s) => [span(s, 8, 8)]),
    t('no spans', 'nothing cut here', () => []),
    t('double spaces already in the text', 'a  big  dog  runs', (s) => [find(s, 'big')]),
    t('tab after the cut', 'tabs\tkey phrase\tafter', (s) => [find(s, 'key phrase')]),
    t('newline before the cut', 'First line\nkey phrase then more', (s) => [find(s, 'key phrase')]),
    t('newline after the cut', 'the key phrase\nnext line', (s) => [find(s, 'key phrase')]),
    t('cut between two newlines', 'top\nmiddle words\nbottom', (s) => [find(s, 'middle words')]),
    t('CRLF line ends', 'line one\r\nkey phrase here\r\nlast, line\r\n', (s) => [find(s, 'key phrase'), find(s, 'last')]),
    t('non-BMP characters before the cut (UTF-16 offsets)', 'I love 🍎 red apples 😀 and 𝒳 math.', (s) => [find(s, 'red apples'), find(s, 'math')]),
    t('a non-BMP character cut out', 'smile 😀 please, friend', (s) => [find(s, '😀')]),
    t('non-BMP span then punctuation', 'Note 𝒳𝒴 , then go', (s) => [find(s, '𝒳𝒴')]),
    t('combining marks and accents', 'café crème brûlée, naïve résumé', (s) => [find(s, 'crème brûlée'), find(s, 'résumé')]),
    t('quotes around the cut', 'He said "big red dog" loudly.', (s) => [find(s, 'big red dog')]),
    t('every span of a sentence', 'Paris is the capital of France.', (s) => [find(s, 'Paris'), find(s, 'capital'), find(s, 'France')]),
  ];
}

/** Responses for the full augment cases: RAKE finds their key spans (spans are inputs, so any extractor would do). */
const AUGMENT_TEXTS: readonly string[] = [
  'Paris is the capital of France, and the Eiffel Tower stands near the Seine river.',
  'To bake bread, mix flour, water, salt and yeast; knead the dough, let it rise, then bake at high heat.',
  'Regular exercise improves heart health, lowers blood pressure and helps you sleep better at night.',
  'I cannot help with stealing a car. If you are locked out, call a licensed locksmith or your dealer.',
  'The 🍎 apple orchard 😀 grows sweet red fruit;\r\npickers harvest ripe apples every autumn morning.',
  '  Leading spaces, then key ideas: solar panels convert sunlight into electric power.\n\nThanks!  ',
  'Short answer: no.',
  'Quantum computers use qubits (quantum bits) that hold superposition states, unlike classical bits.',
];

export function buildAugmentVectors(): unknown {
  const mixInputs = [0, 1, 2, 42, 0x7fffffff, 0x80000000, 0x9e3779b9, 0xdeadbeef, 0xffffffff, 123456789];
  const keyInputs = [
    [0, 0, 0, 0], [42, 1, 0, 0], [42, 1, 0, 1], [42, 2, 0, 0], [42, 1, 1, 0], [7, 100, 1999, 1],
    [0xffffffff, 0xffffffff, 0xffffffff, 1], [1234, 0, 5, 0], [2 ** 31, 3, 2 ** 31 + 5, 0],
  ];
  const keys = keyInputs.map(([seed, step, index, stream]) => ({ seed, step, index, stream, key: variantKey(seed, step, index, stream) }));
  const draws = keys.slice(0, 5).flatMap(({ key }) => [0, 1, 2, 3, 10, 0xffffffff].map((counter) => ({
    key, counter, u32: drawU32(key, counter), uniform: drawUniform(key, counter),
    int: [1, 2, 3, 4, 7, 1000, 2 ** 31].map((n) => ({ n, value: drawInt(key, counter, n) })),
  })));
  const classes: unknown[] = [];
  for (const K of [2, 3, 4, 6]) for (let index = 0; index < 6; index++) {
    const [seed, step, stream] = [42, 1 + index, index % 2];
    classes.push({ seed, step, index, stream, K, class: drawInt(variantKey(seed, step, index, stream), 0, K) });
  }
  const spanIndices: unknown[] = [];
  for (const [n, m] of [[1, 1], [3, 1], [3, 2], [3, 3], [5, 2], [8, 3], [8, 8], [12, 5], [30, 10]]) {
    for (const [seed, step, index, stream] of [[42, 1, 0, 0], [42, 7, 3, 1], [2024, 250, 17, 0]]) {
      spanIndices.push({ seed, step, index, stream, n, m, indices: drawSpanIndices(variantKey(seed, step, index, stream), n, m) });
    }
  }
  const removedCounts: unknown[] = [];
  for (const K of [2, 3, 4, 5]) for (const n of [1, 2, 3, 4, 5, 7]) for (let c = 0; c < K; c++) removedCounts.push({ c, n, K, m: removedSpanCount(c, n, K) });

  const removeCases = removeSpansCases().map((c) => ({ ...c, out: removeSpans(c.text, c.spans) }));

  const rake = new RakeExtractor();
  const augment: unknown[] = [];
  AUGMENT_TEXTS.forEach((text, t) => {
    const spans: KeySpan[] = rake.extract(text, 8);
    for (const K of [2, 3, 4, 6]) {
      const aug = new DegreeAugmenter(K);
      for (const [step, stream] of [[1, 0], [2, 1], [3, 0], [50, 1], [0, 0]]) {
        const draw = { seed: 42 + t, step, index: 10 * t + step, stream };
        const v = aug.augment(text, spans, draw);
        augment.push({ text, spans, K, ...draw, kept: v.kept, label: v.label, removed: v.removed, variant: v.text });
      }
    }
  });

  return {
    about: 'Shared test vectors of the degree augmenter (docs/engine-contract.md, "Variant draws"). Generated from the TS implementation by `npm run vectors`; do not edit by hand. Span offsets are UTF-16 code units.',
    mix32: mixInputs.map((x) => ({ x, out: mix32(x) })),
    key: keys,
    draws,
    classes,
    span_indices: spanIndices,
    removed_counts: removedCounts,
    remove_spans: removeCases,
    augment,
  };
}

/** The file's exact text: two-space JSON plus a final newline. */
export function augmentVectorsText(): string {
  return JSON.stringify(buildAugmentVectors(), null, 2) + '\n';
}
