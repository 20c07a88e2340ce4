// Issue 13 §3: long lines are highlighted in a time-sliced way. The highlight computation is a generator
// that yields every WORK_CHUNK items (characters scanned, words, phrases, spans); the editor runs it in
// slices between other events. Work is counted in items, not time: every yield, as seen from outside the
// generator, is at most WORK_CHUNK items, so a slice of the driver does at most itemsPerSlice + WORK_CHUNK.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  computeKeyDecorations, computeKeyDecorationsSliced, createExtractor, KeyDecoration, KeyDecorationCache, LineSource,
} from '../../../src/core/keys';
import { DISPLAY_LIMITS } from '../../../src/core/keys/displayLimits';
import { runSliced, runToEnd, SlicedWork, WORK_CHUNK, WorkCancelled } from '../../../src/core/slicedWork';

const rake = createExtractor('rake');
const SENTENCE = 'The capital city of France is Paris, and Lyon is a big city with many people who like good food. ';

/** A JSONL record of about `chars` characters whose chosen response repeats SENTENCE. */
function longLine(chars: number): string {
  const chosen = SENTENCE.repeat(Math.ceil(chars / SENTENCE.length)).slice(0, chars - 200);
  return JSON.stringify({ prompt: 'Tell me about France.', chosen, rejected: 'Lyon is in France. Paris is far.' });
}

/** Passes `work` through, recording the size of each of its yields. */
function* observed<T>(work: SlicedWork<T>, yields: number[]): SlicedWork<T> {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    yields.push(step.value);
    yield step.value;
  }
}

describe('time-sliced key highlights', () => {
  it('a 3.9 MB line is worked through in bounded slices, with the same result as straight through', { timeout: 120_000 }, async (t) => {
    const text = longLine(3_900_000);
    assert.ok(text.length < DISPLAY_LIMITS.lineChars);
    const doc: LineSource = { lineCount: 1, getLine: () => text };
    const notes: string[] = [];
    const options = { extractor: rake, maxKeys: 8, onNote: (_l: number, n: string) => notes.push(n) };
    const yields: number[] = [];
    const slices: number[] = [];
    let otherEvents = 0;
    const ticker = setInterval(() => otherEvents++, 0);
    const itemsPerSlice = 50_000;
    let sliced: KeyDecoration[];
    try {
      sliced = await runSliced(observed(computeKeyDecorationsSliced(doc, { first: 0, last: 0 }, options), yields), {
        itemsPerSlice, defer: (next) => setImmediate(next), onSlice: (items) => slices.push(items),
      });
    } finally {
      clearInterval(ticker);
    }
    // Every character of the line was scanned (at least) once, in counted pieces of at most WORK_CHUNK items.
    const total = yields.reduce((a, b) => a + b, 0);
    assert.ok(total >= text.length, `${total} items counted for ${text.length} characters`);
    assert.ok(Math.max(...yields) <= WORK_CHUNK, `largest step ${Math.max(...yields)} items`);
    assert.ok(Math.max(...slices) <= itemsPerSlice + WORK_CHUNK, `largest slice ${Math.max(...slices)} items`);
    assert.ok(slices.length >= total / (itemsPerSlice + WORK_CHUNK), `${slices.length} slices for ${total} items`);
    assert.ok(otherEvents > 0, 'timers ran between slices');
    t.diagnostic(`${text.length} characters: ${total} items in ${yields.length} steps (largest ${Math.max(...yields)}), ${slices.length} slices (largest ${Math.max(...slices)} items), ${otherEvents} timer callbacks ran in between`);
    // Bounded output too, and the capped-line note.
    assert.ok(sliced.length > 0 && sliced.length <= DISPLAY_LIMITS.spansPerLine, `${sliced.length} decorations`);
    assert.match(notes[0], /more key spans not shown \(at most 100 per phrase, 1000 per line\)/);
    const straight = computeKeyDecorations(doc, { first: 0, last: 0 }, { extractor: rake, maxKeys: 8 });
    assert.deepEqual(sliced, straight);
  });

  it('a 20 MB line is skipped with a note, in a handful of small steps', () => {
    const text = longLine(20_000_000);
    const yields: number[] = [];
    const notes: string[] = [];
    const out = runToEnd(observed(computeKeyDecorationsSliced({ lineCount: 1, getLine: () => text }, { first: 0, last: 0 }, {
      extractor: rake, maxKeys: 8, onNote: (_l, n) => notes.push(n),
    }), yields));
    assert.deepEqual(out, []);
    assert.ok(yields.length <= 4 && yields.every((n) => n <= WORK_CHUNK), `yields: ${yields.join(', ')}`);
    assert.equal(notes[0], `line of ${text.length.toLocaleString('en-US')} characters: too long to highlight (limit 4,000,000)`);
  });

  it('100k lines: no slice reads more lines than its item budget', { timeout: 120_000 }, async (t) => {
    const records = [
      JSON.stringify({ prompt: 'Capital?', chosen: 'The capital city of France is Paris.', rejected: 'The capital city is Lyon.' }),
      JSON.stringify({ prompt: 'Pets?', chosen: 'Cats are quiet companions.', rejected: 'Dogs bark loudly at night.' }),
      '',
    ];
    let reads = 0;
    const doc: LineSource = { lineCount: 100_000, getLine: (i) => (reads++, records[i % records.length]) };
    const readsPerSlice: number[] = [];
    let readsBefore = 0;
    const itemsPerSlice = 1000;
    const result = await runSliced(computeKeyDecorationsSliced(doc, { first: 0, last: 99_999 }, { extractor: rake, maxKeys: 8, cache: new KeyDecorationCache() }), {
      itemsPerSlice,
      defer: (next) => setImmediate(next),
      onSlice: () => {
        readsPerSlice.push(reads - readsBefore);
        readsBefore = reads;
      },
    });
    assert.equal(reads, 100_000);
    // Reading a line is one item at least, so a slice reads at most itemsPerSlice + WORK_CHUNK lines.
    assert.ok(Math.max(...readsPerSlice) <= itemsPerSlice + WORK_CHUNK, `most lines in one slice: ${Math.max(...readsPerSlice)}`);
    assert.ok(readsPerSlice.length >= 100_000 / (itemsPerSlice + WORK_CHUNK));
    assert.equal(new Set(result.map((d) => d.line)).size, 66_667); // two record lines in every three
    t.diagnostic(`100,000 lines in ${readsPerSlice.length} slices, at most ${Math.max(...readsPerSlice)} lines read in one`);
  });

  it('cancelling between slices drops the work and rejects with WorkCancelled', { timeout: 60_000 }, async () => {
    const text = longLine(2_000_000);
    let slices = 0;
    await assert.rejects(runSliced(computeKeyDecorationsSliced({ lineCount: 1, getLine: () => text }, { first: 0, last: 0 }, { extractor: rake, maxKeys: 8 }), {
      itemsPerSlice: 10_000, defer: (next) => setImmediate(next), cancelled: () => slices >= 3, onSlice: () => slices++,
    }), WorkCancelled);
    assert.equal(slices, 3);
  });

  it('an extractor without a sliced form still works, as one step', () => {
    const plain = { name: 'plain-rake', extract: (t: string, k: number) => rake.extract(t, k) };
    const line = JSON.stringify({ prompt: 'p', chosen: 'Paris is the capital city.', rejected: 'Lyon is a city.' });
    const doc = { lineCount: 1, getLine: () => line };
    assert.deepEqual(
      runToEnd(computeKeyDecorationsSliced(doc, { first: 0, last: 0 }, { extractor: plain, maxKeys: 8 })).map((d) => d.phrase),
      computeKeyDecorations(doc, { first: 0, last: 0 }, { extractor: rake, maxKeys: 8 }).map((d) => d.phrase),
    );
  });
});
