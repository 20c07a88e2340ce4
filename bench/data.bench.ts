// Benchmark of the preference-file reader: pairs/s, MB/s and peak RSS on the real HH sample and
// on a ~200 MB file made by repeating it, against a plain split + JSON.parse baseline.
// Each 200 MB measurement runs in a fresh child process so its peak RSS is its own.
import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { HH_SAMPLE } from '../test/helpers/paths';
import { isReadIssue, loadPreferenceFile, readPreferenceBatches, readPreferenceFile } from '../src/core/data';

const TARGET_MB_PER_S = 20;
const TARGET_RSS_FACTOR = 2;
const BIG_FILE_MB = 200;
const MB = 1024 * 1024;

interface Measurement {
  name: string;
  bytes: number;
  pairs: number;
  seconds: number;
  maxRssBytes: number;
}

/** The reader under test: stream every pair, keeping nothing. */
async function streamPairs(file: string): Promise<number> {
  let pairs = 0;
  for await (const item of readPreferenceFile(file)) if (!isReadIssue(item)) pairs++;
  return pairs;
}

/** The same reader, one batch per chunk (what the CLI uses). */
async function streamBatches(file: string): Promise<number> {
  let pairs = 0;
  for await (const batch of readPreferenceBatches(file)) for (const item of batch) if (!isReadIssue(item)) pairs++;
  return pairs;
}

/** Baseline: the least any JSONL reader must do (stream, split lines, decode, JSON.parse). */
async function baselineSplitParse(file: string): Promise<number> {
  let records = 0;
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      if (nl > start) { JSON.parse(buf.toString('utf8', start, nl)); records++; }
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  return records;
}

/** The naive way the reader avoids: the whole file as one string, split, parsed. */
async function naiveReadFileSync(file: string): Promise<number> {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).length;
}

const MODES: Record<string, (file: string) => Promise<number>> = { reader: streamPairs, batches: streamBatches, baseline: baselineSplitParse, naive: naiveReadFileSync };

async function measureHere(name: string, mode: string, file: string, bytes: number): Promise<Measurement> {
  const t0 = process.hrtime.bigint();
  const pairs = await MODES[mode](file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name, bytes, pairs, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

function measureInChild(name: string, mode: string, file: string, bytes: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', name, mode, file, String(bytes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as Measurement));
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`${name} child exited with ${code}`)); });
  });
}

/** Writes ~`mb` MB by repeating the decompressed sample, streaming so the parent stays small. */
async function makeBigFile(sample: Buffer, mb: number): Promise<string> {
  const file = path.join(os.tmpdir(), `spo-data-bench-${process.pid}.jsonl`);
  const out = fs.createWriteStream(file);
  const copies = Math.ceil((mb * MB) / sample.length);
  for (let i = 0; i < copies; i++) {
    if (!out.write(sample)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return file;
}

function row(m: Measurement): string {
  const mbps = m.bytes / MB / m.seconds;
  return `${m.name.padEnd(37)}${(m.bytes / MB).toFixed(1).padStart(8)} MB${String(m.pairs).padStart(9)}${(m.seconds).toFixed(2).padStart(9)} s` +
    `${Math.round(m.pairs / m.seconds).toString().padStart(10)}${mbps.toFixed(1).padStart(9)}${(m.maxRssBytes / MB).toFixed(0).padStart(9)} MB`;
}

async function main(): Promise<void> {
  const sample = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE));
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0].toFixed(2)}`);
  console.log(`${'measurement'.padEnd(37)}${'input'.padStart(11)}${'pairs'.padStart(9)}${'time'.padStart(11)}${'pairs/s'.padStart(10)}${'MB/s'.padStart(9)}${'peak RSS'.padStart(12)}`);

  // The real sample, in this process (warm-up included: the first run pays for JIT).
  await streamPairs(HH_SAMPLE);
  const small = await measureHere('HH sample .gz (stream, 2000)', 'reader', HH_SAMPLE, sample.length);
  console.log(row(small));
  const t0 = process.hrtime.bigint();
  const loaded = await loadPreferenceFile(HH_SAMPLE);
  let ranges = 0;
  for (const p of loaded.pairs) for (const t of [p.chosen, p.rejected]) { t.source!.toRaw(0, t.text.length); ranges++; }
  console.log(`${'HH sample load + toRaw every response'.padEnd(37)}${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0).padStart(8)} ms for ${loaded.pairs.length} pairs, ${ranges} mapped ranges`);

  const file = await makeBigFile(sample, BIG_FILE_MB);
  try {
    const size = fs.statSync(file).size;
    const reader = await measureInChild(`${BIG_FILE_MB} MB JSONL: readPreferenceFile`, 'reader', file, size);
    console.log(row(reader));
    const batches = await measureInChild(`${BIG_FILE_MB} MB JSONL: readPreferenceBatches`, 'batches', file, size);
    console.log(row(batches));
    const baseline = await measureInChild(`${BIG_FILE_MB} MB JSONL: split + JSON.parse`, 'baseline', file, size);
    console.log(row(baseline));
    const naive = await measureInChild(`${BIG_FILE_MB} MB JSONL: readFileSync+split`, 'naive', file, size);
    console.log(row(naive));
    const mbps = reader.bytes / MB / reader.seconds;
    const rssFactor = reader.maxRssBytes / size;
    console.log('');
    console.log(`reader throughput: ${mbps.toFixed(1)} MB/s = ${(mbps / TARGET_MB_PER_S).toFixed(2)}× the ${TARGET_MB_PER_S} MB/s target; ` +
      `${(reader.seconds / baseline.seconds).toFixed(2)}× the time of the split + JSON.parse baseline ` +
      `(batches: ${(batches.bytes / MB / batches.seconds).toFixed(1)} MB/s, ${(batches.seconds / baseline.seconds).toFixed(2)}×)`);
    console.log(`reader peak RSS: ${(reader.maxRssBytes / MB).toFixed(0)} MB = ${rssFactor.toFixed(2)}× the file size (target ≤ ${TARGET_RSS_FACTOR}×: ` +
      `${(rssFactor / TARGET_RSS_FACTOR).toFixed(2)} of the budget); readFileSync + split peaks at ${(naive.maxRssBytes / size).toFixed(2)}×`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

if (process.argv[2] === '--child') {
  const [, , , name, mode, file, bytes] = process.argv;
  measureHere(name, mode, file, Number(bytes)).then((m) => process.send!(m, () => process.exit(0)));
} else {
  main().catch((err) => { console.error(err); process.exitCode = 1; });
}
