// Every shared augmenter vector holds for the TS implementation, and the committed file is exactly what
// the generator writes today (so a change to the draws or to removeSpans must regenerate it: npm run vectors).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/paths';
import { AUGMENT_VECTORS_FILE, augmentVectorsText } from '../../vectors/augmentVectors';
import { DegreeAugmenter, removeSpans } from '../../../src/core/train/augmenter';
import { drawInt, drawSpanIndices, drawU32, drawUniform, mix32, removedSpanCount, variantKey } from '../../../src/core/train/variantDraws';

const committedText = fs.readFileSync(path.join(REPO_ROOT, AUGMENT_VECTORS_FILE), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const V: any = JSON.parse(committedText);

describe('shared augmenter vectors (test/vectors/augment.json)', () => {
  it('the committed file is what the generator writes (run npm run vectors after changing the augmenter)', () => {
    assert.equal(committedText, augmentVectorsText());
  });

  it('mix32, key, u32, uniform and int', () => {
    for (const v of V.mix32) assert.equal(mix32(v.x), v.out, `mix32(${v.x})`);
    for (const v of V.key) assert.equal(variantKey(v.seed, v.step, v.index, v.stream), v.key);
    for (const v of V.draws) {
      assert.equal(drawU32(v.key, v.counter), v.u32);
      assert.equal(drawUniform(v.key, v.counter), v.uniform);
      for (const { n, value } of v.int) assert.equal(drawInt(v.key, v.counter, n), value);
    }
    assert.ok(V.mix32.length >= 10 && V.key.length >= 9 && V.draws.length >= 30);
  });

  it('classes, span indices and removed-span counts', () => {
    for (const v of V.classes) assert.equal(drawInt(variantKey(v.seed, v.step, v.index, v.stream), 0, v.K), v.class);
    for (const v of V.span_indices) {
      const got = drawSpanIndices(variantKey(v.seed, v.step, v.index, v.stream), v.n, v.m);
      assert.deepEqual(got, v.indices);
      assert.equal(new Set(got).size, v.m, 'distinct indices');
    }
    for (const v of V.removed_counts) assert.equal(removedSpanCount(v.c, v.n, v.K), v.m);
  });

  it('removeSpans on the tricky texts; span text equals the UTF-16 slice', () => {
    assert.ok(V.remove_spans.length >= 25);
    for (const v of V.remove_spans) {
      for (const s of v.spans) assert.equal(v.text.slice(s.start, s.end), s.text, v.name);
      assert.equal(removeSpans(v.text, v.spans), v.out, v.name);
    }
  });

  it('full augment cases cover masking and every class', () => {
    const labels = new Set<number>();
    let masked = 0;
    for (const v of V.augment) {
      const got = new DegreeAugmenter(v.K).augment(v.text, v.spans, { seed: v.seed, step: v.step, index: v.index, stream: v.stream });
      assert.deepEqual(got, { kept: v.kept, label: v.label, text: v.variant, removed: v.removed });
      if (v.kept) labels.add(v.label); else masked++;
    }
    assert.ok(masked > 0, 'some case is masked');
    for (const c of [0, 1, 2, 3, 4, 5]) assert.ok(labels.has(c), `class ${c} appears`);
  });
});
