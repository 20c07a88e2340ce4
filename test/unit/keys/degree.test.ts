// Data degree (spo-method.md §6) on hand cases, and the phrase matching it relies on.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dataDegree, distinctPhrases } from '../../../src/core/keys/degree';
import { PhraseMatcher, normalizePhrase } from '../../../src/core/keys/words';
import { KeySpan } from '../../../src/core/keys/types';

/** Key spans for phrases of `text` (first occurrence each); the score is irrelevant here. */
function keysOf(text: string, ...phrases: string[]): KeySpan[] {
  return phrases.map((p) => {
    const start = text.indexOf(p);
    assert.ok(start >= 0, `${p} not in ${text}`);
    return { start, end: start + p.length, text: p, score: 1 };
  });
}

test('shared phrases count for neither side: (1 - 1) / 2 = 0', () => {
  const chosen = 'Use large training data and deep learning.';
  const rejected = 'Deep Learning costs money.';
  const d = dataDegree(keysOf(chosen, 'large training data', 'deep learning'), keysOf(rejected, 'money'), chosen, rejected);
  assert.deepEqual(d, { data: 0, chosenOnly: ['large training data'], rejectedOnly: ['money'], sharedPhrases: ['deep learning'] });
});

test('two chosen-only, one rejected-only: (2 - 1) / 3', () => {
  const chosen = 'Call a doctor, drink water.';
  const rejected = 'Drink whisky.';
  const d = dataDegree(keysOf(chosen, 'doctor', 'drink water'), keysOf(rejected, 'Drink whisky'), chosen, rejected);
  assert.equal(d.data, 1 / 3);
  assert.deepEqual(d.chosenOnly, ['doctor', 'drink water']);
  assert.deepEqual(d.rejectedOnly, ['drink whisky']);
});

test('all key content on one side gives +1 or -1; no keys gives 0', () => {
  const a = 'seek medical advice';
  const b = 'hmm';
  assert.equal(dataDegree(keysOf(a, 'medical advice'), [], a, b).data, 1);
  assert.equal(dataDegree([], keysOf(a, 'medical advice'), b, a).data, -1);
  assert.equal(dataDegree([], [], a, b).data, 0);
});

test('a key counts once however many occurrences it has', () => {
  const chosen = 'red wine. Red wine.';
  const keys: KeySpan[] = [
    { start: 0, end: 8, text: 'red wine', score: 4 },
    { start: 10, end: 18, text: 'Red wine', score: 4 },
  ];
  assert.deepEqual(distinctPhrases(keys), ['red wine']);
  const d = dataDegree(keys, [], chosen, 'beer');
  assert.deepEqual(d.chosenOnly, ['red wine']);
  assert.equal(d.data, 1);
});

test('the phrase a rejected key shares with the chosen text is shared even if not a chosen key', () => {
  const chosen = 'I cannot help with stealing cars.';
  const rejected = 'Stealing cars is easy: break the window.';
  const d = dataDegree(keysOf(chosen, 'stealing cars'), keysOf(rejected, 'Stealing cars', 'break the window'), chosen, rejected);
  assert.deepEqual(d.sharedPhrases, ['stealing cars']);
  assert.deepEqual(d.rejectedOnly, ['break the window']);
  assert.equal(d.data, -1);
});

test('phrase matching is case-insensitive, on word boundaries, not across punctuation', () => {
  const m = new PhraseMatcher('He drew a HUGE  penis with pens, and a huge, smile.\nFriend’s car');
  assert.ok(m.contains('huge penis'));
  assert.ok(!m.contains('pen'));
  assert.ok(m.contains('pens'));
  assert.ok(!m.contains('huge smile'));
  assert.ok(m.contains("friend's car"));
  assert.ok(!m.contains("smile friend's"));
  assert.ok(!m.contains(''));
  assert.equal(normalizePhrase('  Friend’s   CAR '), "friend's car");
});
