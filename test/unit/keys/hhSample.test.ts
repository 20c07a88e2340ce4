// Key spans on the real Anthropic HH sample: offsets spell the key, spans never overlap, and the
// raw file range of every key, JSON-unescaped, is exactly the key text.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { loadPreferenceFile } from '../../../src/core/data';
import { analyzePair, RakeExtractor } from '../../../src/core/keys';
import { pairKeysRecord } from '../../../src/cli/commands/keys';
import { HH_SAMPLE } from '../../helpers/paths';

test('every key span of the HH sample maps to the raw characters that spell it', async () => {
  const loaded = await loadPreferenceFile(HH_SAMPLE);
  assert.equal(loaded.issues.length, 0);
  assert.equal(loaded.pairs.length, 2000);
  const rawLines = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8').split('\n');
  const rake = new RakeExtractor();
  let keys = 0;
  let escapedKeys = 0;
  for (const pair of loaded.pairs) {
    const record = pairKeysRecord(pair, analyzePair(pair, rake, 8));
    for (const side of ['chosen', 'rejected'] as const) {
      const response = pair[side].text;
      const spans = record[side].keys;
      const byStart = spans.slice().sort((a, b) => a.start - b.start);
      for (let i = 1; i < byStart.length; i++) {
        assert.ok(byStart[i - 1].end <= byStart[i].start, `line ${pair.line} ${side}: spans overlap`);
      }
      assert.ok(new Set(spans.map((k) => k.phrase)).size <= 8, `line ${pair.line} ${side}: more than 8 phrases`);
      for (const key of spans) {
        keys++;
        assert.equal(response.slice(key.start, key.end), key.text);
        assert.ok(key.raw, `line ${pair.line} ${side}: key without a raw range`);
        assert.equal(key.raw.line, pair.line);
        const cut = rawLines[key.raw.line - 1].slice(key.raw.start, key.raw.end);
        if (cut !== key.text) escapedKeys++;
        assert.equal(JSON.parse(`"${cut}"`), key.text, `line ${pair.line} ${side}: raw ${cut} vs key ${key.text}`);
      }
    }
  }
  assert.ok(keys > 20000, `only ${keys} keys`);
  // The sample spells ’ raw, so raw and decoded agree; the escape fixture covers the other case.
  assert.equal(escapedKeys, 0);
});
