// The demo data generator: deterministic, planted degree = share of facts missing from rejected,
// lengths balanced, facts that the project's RAKE extractor finds, and the committed example file matches it.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/paths';
import { generateDemoPairs, parsePreferenceText } from '../../../src/core/data';
import { createExtractor } from '../../../src/core/keys';

// The project's own RAKE extractor (src/core/keys), the one the editor and trainer use.
const rake = createExtractor('rake');

describe('demo data', () => {
  const pairs = generateDemoPairs({ count: 300, seed: 11 });

  it('is deterministic per seed and differs across seeds', () => {
    assert.deepEqual(generateDemoPairs({ count: 300, seed: 11 }), pairs);
    assert.notDeepEqual(generateDemoPairs({ count: 300, seed: 12 }), pairs);
  });

  it('plants the degree: chosen states every fact, rejected lacks exactly the missing share', () => {
    const degrees = new Set<number>();
    for (const p of pairs) {
      for (const f of p.facts) assert.ok(p.chosen.includes(f), `${f} in chosen`);
      for (const f of p.facts) assert.equal(p.rejected.includes(f), !p.missing.includes(f), `${f} in rejected`);
      assert.ok(p.missing.length >= 1);
      assert.equal(p.degree, p.missing.length / p.facts.length);
      assert.ok(p.chosen.length >= 150 && p.chosen.length <= 420, `chosen length ${p.chosen.length}`);
      degrees.add(Math.round(p.degree * 4));
    }
    assert.deepEqual([...degrees].sort(), [0, 1, 2, 3, 4].filter((d) => degrees.has(d)));
    assert.ok(degrees.size >= 4, 'degrees spread over the range');
  });

  it('balances lengths, so only content tells chosen from rejected', () => {
    // Each missing fact is replaced by a vague line of about its length: "longer wins" must not predict the label.
    const longer = pairs.filter((p) => p.chosen.length > p.rejected.length).length / pairs.length;
    assert.ok(longer >= 0.35 && longer <= 0.65, `chosen longer in ${longer} of pairs`);
    for (const p of pairs) {
      assert.ok(p.rejected.length >= 150 && p.rejected.length <= 420, `rejected length ${p.rejected.length}`);
      // As many sentences as chosen: a missing fact does not remove a sentence either.
      assert.equal(p.rejected.split(/[.?!](?: |$)/).length, p.chosen.split(/[.?!](?: |$)/).length, p.rejected);
    }
  });

  it('writes facts that RAKE finds as the key content, and nothing else', () => {
    for (const p of pairs) {
      const keys = (text: string) => new Set(rake.extract(text, 8).map((k) => k.text.toLowerCase()));
      assert.deepEqual(keys(p.chosen), new Set(p.facts), p.chosen);
      assert.deepEqual(keys(p.rejected), new Set(p.facts.filter((f) => !p.missing.includes(f))), p.rejected);
    }
  });

  it('keeps a small vocabulary a tiny model can learn', () => {
    const words = new Set(pairs.flatMap((p) => `${p.prompt} ${p.chosen} ${p.rejected}`.toLowerCase().match(/[a-z]+/g) ?? []));
    assert.ok(words.size < 500, `${words.size} distinct words`);
  });

  it('matches the committed examples/demo-preferences.jsonl, which reads as 600 TRL pairs', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'demo-preferences.jsonl'), 'utf8');
    const { format, pairs: read, issues } = parsePreferenceText(text);
    assert.equal(format, 'trl');
    assert.deepEqual(issues, []);
    assert.equal(read.length, 600);
    const regenerated = generateDemoPairs({ count: 600, seed: 20240926 });
    read.forEach((p, i) => {
      assert.equal(p.prompt.text, regenerated[i].prompt);
      assert.equal(p.chosen.text, regenerated[i].chosen);
      assert.equal(p.rejected.text, regenerated[i].rejected);
    });
  });
});
