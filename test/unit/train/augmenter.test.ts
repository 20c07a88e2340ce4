// The degree augmenter on real HH responses with RAKE key spans: masking, classes, removal.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { HH_SAMPLE } from '../../helpers/paths';
import { loadPreferenceFile } from '../../../src/core/data';
import { RakeExtractor } from '../../../src/core/keys/rake';
import type { KeySpan } from '../../../src/core/keys/types';
import { DegreeAugmenter, removeSpans } from '../../../src/core/train/augmenter';

describe('degree augmenter (real HH responses)', () => {
  let responses: Array<{ text: string; keys: KeySpan[] }> = [];
  before(async () => {
    const { pairs } = await loadPreferenceFile(HH_SAMPLE);
    const rake = new RakeExtractor();
    responses = pairs.slice(0, 150).flatMap((p) => [p.chosen.text, p.rejected.text]).map((text) => ({ text, keys: rake.extract(text, 8) }));
  });

  it('masks responses with fewer than K − 1 key spans and keeps the others', () => {
    const aug = new DegreeAugmenter(4);
    let masked = 0;
    for (const [index, r] of responses.entries()) {
      const v = aug.augment(r.text, r.keys, { seed: 1, step: 1, index, stream: 0 });
      if (r.keys.length < 3) {
        masked++;
        assert.deepEqual(v, { kept: false, label: -1, text: r.text, removed: 0 });
      } else {
        assert.ok(v.kept);
      }
    }
    assert.ok(masked > 0 && masked < responses.length, `some but not all responses masked (${masked}/${responses.length})`);
  });

  it('draws classes uniformly and removes round(c·n/(K−1)) spans; class 0 is intact, K−1 removes every span', () => {
    const K = 4;
    const aug = new DegreeAugmenter(K);
    const counts = new Array(K).fill(0);
    const eligible = responses.filter((r) => r.keys.length >= K - 1);
    for (let step = 1; step <= 4; step++) {
      for (const [index, r] of eligible.entries()) {
        const v = aug.augment(r.text, r.keys, { seed: 7, step, index, stream: index % 2 });
        counts[v.label]++;
        assert.equal(v.removed, Math.round((v.label * r.keys.length) / (K - 1)));
        if (v.label === 0) assert.equal(v.text, r.text);
        else assert.ok(v.text.length < r.text.length, 'a variant with removed spans is shorter');
        if (v.label === K - 1) {
          // Every key span is cut: the variant is exactly the text with all spans removed.
          assert.equal(v.text, removeSpans(r.text, r.keys));
        }
        assert.ok(!/ {2}/.test(v.text) || / {2}/.test(r.text), 'no double space introduced');
      }
    }
    const total = counts.reduce((a, b) => a + b, 0);
    counts.forEach((c) => assert.ok(c / total > 0.18 && c / total < 0.32, `class share ${c}/${total}`));
  });

  it('a variant depends only on (seed, step, index, stream), not on what was drawn before', () => {
    const aug = new DegreeAugmenter(4);
    const draw = (index: number, step: number) => ({ seed: 3, step, index, stream: 0 });
    const forward = responses.slice(0, 40).map((r, i) => aug.augment(r.text, r.keys, draw(i, 5)));
    const backward = responses.slice(0, 40).map((r, i) => ({ i, r })).reverse().map(({ r, i }) => aug.augment(r.text, r.keys, draw(i, 5))).reverse();
    assert.deepEqual(forward, backward);
    const eligible = responses.slice(0, 40).map((r, i) => ({ r, i })).filter(({ r }) => r.keys.length >= 3);
    const otherStep = eligible.filter(({ r, i }) => aug.augment(r.text, r.keys, draw(i, 6)).text !== aug.augment(r.text, r.keys, draw(i, 5)).text);
    assert.ok(otherStep.length > 0, 'another step draws other variants');
  });

  it('removes spans and collapses the whitespace left behind', () => {
    const text = 'Try the red apple, then the green pear now.';
    const span = (s: string): KeySpan => ({ start: text.indexOf(s), end: text.indexOf(s) + s.length, text: s, score: 1 });
    assert.equal(removeSpans(text, [span('red apple')]), 'Try the, then the green pear now.');
    assert.equal(removeSpans(text, [span('green pear'), span('Try')]), 'the red apple, then the now.');
    assert.equal(removeSpans(text, [span('now')]), 'Try the red apple, then the green pear.');
    assert.equal(removeSpans(' Hello world', [{ start: 1, end: 6, text: 'Hello', score: 1 }]), ' world');
  });
});
