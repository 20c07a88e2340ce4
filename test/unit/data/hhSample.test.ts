// The real Anthropic HH sample, read end to end: every pair, the TRL prompt split, and source
// mapping of every response and prompt back to the raw file text.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { HH_SAMPLE } from '../../helpers/paths';
import { SeededRandom } from '../../../src/core/random';
import { loadPreferenceFile, parsePreferenceLine, parsePreferenceText, PreferencePair, readPreferenceFile, isReadIssue } from '../../../src/core/data';
import { checkSource, rawLines } from './sourceCheck';

function comparable(p: PreferencePair) {
  return { line: p.line, format: p.format, prompt: p.prompt.text, chosen: p.chosen.text, rejected: p.rejected.text };
}

describe('HH sample (real data)', () => {
  let pairs: PreferencePair[] = [];
  let lines: string[] = [];
  let originals: Array<{ chosen: string; rejected: string }> = [];

  before(async () => {
    const loaded = await loadPreferenceFile(HH_SAMPLE);
    assert.equal(loaded.format, 'hh');
    assert.deepEqual(loaded.issues, []);
    pairs = loaded.pairs;
    lines = rawLines(HH_SAMPLE);
    originals = lines.slice(1).filter((l) => l.trim()).map((l) => JSON.parse(l));
  });

  it('reads all 2000 pairs, numbered in order with their lines', () => {
    assert.equal(pairs.length, 2000);
    pairs.forEach((p, i) => {
      assert.equal(p.index, i);
      assert.equal(p.line, i + 1);
      assert.equal(p.format, 'hh');
    });
  });

  it('splits like TRL: prompt ends with the last Assistant turn, responses non-empty, prompt + response = transcript', () => {
    let diverging = 0;
    pairs.forEach((p, i) => {
      const { chosen, rejected } = originals[i];
      assert.ok(p.prompt.text.endsWith('\n\nAssistant:'), `pair ${i} prompt`);
      assert.ok(p.chosen.text.length > 0 && p.rejected.text.length > 0, `pair ${i} responses non-empty`);
      assert.equal(p.prompt.text + p.chosen.text, chosen);
      assert.ok(!p.chosen.text.includes('\n\nAssistant:'), `pair ${i}: chosen response is the last turn only`);
      if (rejected.startsWith(p.prompt.text)) {
        assert.equal(p.prompt.text + p.rejected.text, rejected);
      } else {
        // The transcripts diverge before the last turn: the rejected response is its own last turn.
        diverging++;
        assert.ok(rejected.endsWith('\n\nAssistant:' + p.rejected.text), `pair ${i} rejected`);
      }
    });
    assert.ok(diverging < 10, `only a handful of HH records diverge early, got ${diverging}`);
  });

  it('maps random decoded ranges of every response and prompt to raw text that unescapes to them', () => {
    const rng = new SeededRandom(2024);
    for (const p of pairs) {
      checkSource(lines, p.chosen, rng, `line ${p.line} chosen`, 3);
      checkSource(lines, p.rejected, rng, `line ${p.line} rejected`, 3);
      checkSource(lines, p.prompt, rng, `line ${p.line} prompt`, 1);
      assert.equal(p.chosen.source!.line, p.line);
    }
  });

  it('gives the same pairs through parsePreferenceText and parsePreferenceLine', () => {
    const text = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8');
    const fromText = parsePreferenceText(text);
    assert.equal(fromText.format, 'hh');
    assert.deepEqual(fromText.issues, []);
    assert.deepEqual(fromText.pairs.map(comparable), pairs.map(comparable));
    assert.deepEqual(fromText.pairs.map((p) => p.index), pairs.map((p) => p.index));
    for (const p of pairs.filter((_, i) => i % 97 === 0)) {
      const one = parsePreferenceLine(lines[p.line], p.line, 'hh');
      assert.ok(one && !isReadIssue(one));
      assert.deepEqual(comparable(one), comparable(p));
      assert.deepEqual(one.chosen.source!.toRaw(0, 10), p.chosen.source!.toRaw(0, 10));
    }
  });

  it('streams: the async reader yields pairs one by one in file order', async () => {
    let n = 0;
    for await (const item of readPreferenceFile(HH_SAMPLE)) {
      assert.ok(!isReadIssue(item));
      assert.equal(item.index, n++);
      if (n === 50) break; // stopping early must not leave the file open or throw
    }
    assert.equal(n, 50);
  });

  it('lets the event loop run while it reads (usable from the extension host)', async () => {
    let turns = 0;
    let reading = true;
    const spin = () => { if (reading) { turns++; setImmediate(spin); } };
    setImmediate(spin);
    let pairs = 0;
    for await (const item of readPreferenceFile(HH_SAMPLE)) if (!isReadIssue(item)) pairs++;
    reading = false;
    assert.equal(pairs, 2000);
    assert.ok(turns > 0, 'other callbacks ran during the read');
  });
});
