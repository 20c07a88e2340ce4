// Benchmark of key-content extraction: RAKE throughput on the real HH sample, and the time the
// editor needs to compute highlights for one visible screen of a 100k-line file (cold cache).
// Run: npx tsc -p . && npm run bench:keys
import * as fs from 'fs';
import * as zlib from 'zlib';
import { performance } from 'perf_hooks';
import { isReadIssue, parsePreferenceLine } from '../src/core/data';
import { computeKeyDecorations, KeyDecorationCache, RakeExtractor, tokenizeWords } from '../src/core/keys';
import { SeededRandom } from '../src/core/random';
import { HH_SAMPLE } from '../test/helpers/paths';

const DOC_LINES = 100_000;
const SCREEN_LINES = 50;
const SCREENS = 50;
const WARMUP_SCREENS = 10;
const TARGET_MEDIAN_MS = 50;
const MAX_KEYS = 8;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Runs `body` over all items repeatedly for at least `minMs`; returns items per second. */
function throughput<T>(items: readonly T[], minMs: number, body: (item: T) => unknown): { perSecond: number; passes: number } {
  let passes = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (const item of items) body(item);
    passes++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return { perSecond: (items.length * passes) / (elapsed / 1000), passes };
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function main(): void {
  const lines = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const responses: string[] = [];
  for (const [i, line] of lines.entries()) {
    const pair = parsePreferenceLine(line, i + 1);
    if (pair && !isReadIssue(pair)) responses.push(pair.chosen.text, pair.rejected.text);
  }
  const bytes = responses.reduce((sum, r) => sum + Buffer.byteLength(r, 'utf8'), 0);
  const rake = new RakeExtractor();
  console.log(`keys benchmark: node ${process.version}, ${lines.length} HH pairs (${HH_SAMPLE})`);

  // 1. Extraction throughput (warm JIT: one untimed pass first).
  for (const r of responses) rake.extract(r, MAX_KEYS);
  const extract = throughput(responses, 1500, (r) => rake.extract(r, MAX_KEYS));
  const tokenize = throughput(responses, 1500, (r) => tokenizeWords(r));
  const mb = bytes / 1e6;
  const perResponseMb = mb / responses.length;
  console.log(`\nextraction: ${responses.length} responses (final assistant turns), ${fmt(mb, 2)} MB UTF-8, maxKeys ${MAX_KEYS}`);
  console.log(`  RakeExtractor.extract       ${fmt(extract.perSecond, 0).padStart(9)} responses/s  ${fmt(extract.perSecond * perResponseMb, 2).padStart(6)} MB/s  (${extract.passes} passes)`);
  console.log(`  baseline: tokenizeWords     ${fmt(tokenize.perSecond, 0).padStart(9)} responses/s  ${fmt(tokenize.perSecond * perResponseMb, 2).padStart(6)} MB/s  (word scan only; RAKE costs ${fmt(tokenize.perSecond / extract.perSecond, 1)}× it)`);

  // 2. One visible screen of a 100k-line document, cold cache per screen.
  const docLines = Array.from({ length: DOC_LINES }, (_, i) => lines[i % lines.length]);
  const doc = { lineCount: docLines.length, getLine: (i: number) => docLines[i] };
  const rng = new SeededRandom(20241127);
  const screen = (): { first: number; last: number } => {
    const first = rng.int(DOC_LINES - SCREEN_LINES + 1);
    return { first, last: first + SCREEN_LINES - 1 };
  };
  for (let i = 0; i < WARMUP_SCREENS; i++) computeKeyDecorations(doc, screen(), { extractor: rake, maxKeys: MAX_KEYS, cache: new KeyDecorationCache() });

  const cold: number[] = [];
  const warm: number[] = [];
  const parseOnly: number[] = [];
  let decorations = 0;
  for (let i = 0; i < SCREENS; i++) {
    const range = screen();
    const cache = new KeyDecorationCache();
    let t = performance.now();
    decorations += computeKeyDecorations(doc, range, { extractor: rake, maxKeys: MAX_KEYS, cache }).length;
    cold.push(performance.now() - t);
    t = performance.now();
    computeKeyDecorations(doc, range, { extractor: rake, maxKeys: MAX_KEYS, cache });
    warm.push(performance.now() - t);
    t = performance.now();
    for (let l = range.first; l <= range.last; l++) JSON.parse(doc.getLine(l));
    parseOnly.push(performance.now() - t);
  }
  for (const xs of [cold, warm, parseOnly]) xs.sort((a, b) => a - b);
  const median = quantile(cold, 0.5);
  console.log(`\ndecorations: ${fmt(DOC_LINES, 0)}-line document (HH lines repeated), ${SCREENS} random screens of ${SCREEN_LINES} lines, ${fmt(decorations / SCREENS, 0)} highlights per screen`);
  console.log(`  computeKeyDecorations, cold cache   median ${fmt(median, 2).padStart(6)} ms   p95 ${fmt(quantile(cold, 0.95), 2).padStart(6)} ms`);
  console.log(`  same screen again, warm cache       median ${fmt(quantile(warm, 0.5), 2).padStart(6)} ms   p95 ${fmt(quantile(warm, 0.95), 2).padStart(6)} ms`);
  console.log(`  baseline: JSON.parse of the lines   median ${fmt(quantile(parseOnly, 0.5), 2).padStart(6)} ms   p95 ${fmt(quantile(parseOnly, 0.95), 2).padStart(6)} ms`);
  console.log(`  target: median <= ${TARGET_MEDIAN_MS} ms; measured/target = ${fmt(median / TARGET_MEDIAN_MS, 3)} (${median <= TARGET_MEDIAN_MS ? 'met' : 'NOT met'})`);
}

main();
