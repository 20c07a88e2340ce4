// Issue 13 §3: highlighting has bounds. Before, one 20 MB line of a repeated phrase gave 806,600 decorations
// (24 s of synchronous work) and `spo keys --json` wrote 151 MB for it. Now each phrase shows at most 100
// occurrences and a line at most 1000 spans, with a note; lines past DISPLAY_LIMITS.lineChars (4e6) are not highlighted.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { computeKeyDecorations, KeyDecorationCache } from '../../../src/core/keys/decorations';
import { createExtractor } from '../../../src/core/keys';
import { DISPLAY_LIMITS } from '../../../src/core/keys/displayLimits';
import { analyzePair } from '../../../src/core/keys/analysis';
import { parsePreferenceLine } from '../../../src/core/data';
import { pairKeysRecord } from '../../../src/cli/commands/keys';
import type { PreferencePair } from '../../../src/core/data/types';

const repeated = (n: number) => Array.from({ length: n }, () => 'quantum flux capacitor').join(', ');
const line = (chosen: string) => JSON.stringify({ prompt: 'Explain it.', chosen, rejected: 'No idea about that.' });
const doc = (text: string) => ({ lineCount: 1, getLine: () => text });

describe('bounded key highlights', () => {
  it('caps occurrences per phrase and notes it (5,000 repeats of one phrase)', { timeout: 20_000 }, () => {
    const notes: Array<{ line: number; note: string }> = [];
    const cache = new KeyDecorationCache();
    const opts = { extractor: createExtractor('rake'), maxKeys: 8, cache, onNote: (l: number, n: string) => notes.push({ line: l, note: n }) };
    const d = computeKeyDecorations(doc(line(repeated(5000))), { first: 0, last: 0 }, opts);
    assert.equal(d.filter((x) => x.phrase === 'quantum flux capacitor').length, DISPLAY_LIMITS.occurrencesPerPhrase);
    assert.deepEqual(notes.map((n) => n.line), [1]);
    assert.match(notes[0].note, /4,900 more key spans not shown \(at most 100 per phrase, 1000 per line\)/);
    // The note comes back with cached results too.
    computeKeyDecorations(doc(line(repeated(5000))), { first: 0, last: 0 }, opts);
    assert.equal(notes.length, 2);
  });

  it('caps spans per line across many distinct phrases', { timeout: 20_000 }, () => {
    // 8 phrases (maxKeys 64 allows more) × 200 occurrences each → at most 100 each, at most 1000 in all.
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
    const text = Array.from({ length: 200 }, () => words.map((w) => `${w} ${w}x`).join(', ')).join('. ');
    const notes: string[] = [];
    const d = computeKeyDecorations(doc(line(text)), { first: 0, last: 0 }, { extractor: createExtractor('rake'), maxKeys: 64, onNote: (_l, n) => notes.push(n) });
    assert.ok(d.length <= DISPLAY_LIMITS.spansPerLine, String(d.length));
    assert.equal(notes.length, 1);
  });

  it('skips a line past the length limit, with a note, without parsing it', { timeout: 10_000 }, () => {
    const notes: string[] = [];
    const huge = line('x'.repeat(DISPLAY_LIMITS.lineChars + 10));
    const t0 = Date.now();
    const d = computeKeyDecorations(doc(huge), { first: 0, last: 0 }, { extractor: createExtractor('rake'), maxKeys: 8, onNote: (_l, n) => notes.push(n) });
    assert.deepEqual(d, []);
    assert.match(notes[0], /too long to highlight/);
    assert.ok(Date.now() - t0 < 2000);
  });

  it('spo keys --json lists at most 100 occurrences per phrase and says how many it left out', () => {
    const text = line(repeated(500));
    const pair = parsePreferenceLine(text, 1) as PreferencePair;
    const record = pairKeysRecord(pair, analyzePair(pair, createExtractor('rake'), 8));
    assert.equal(record.chosen.keys.filter((k) => k.phrase === 'quantum flux capacitor').length, 100);
    assert.equal(record.chosen.omitted, 400);
    assert.equal(record.rejected.omitted, undefined);
  });
});
