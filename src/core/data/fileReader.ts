// Streams a preference file from disk: JSONL or a JSON array, gzip detected by its magic bytes.
// Holds one chunk plus the record being read, and yields to the event loop as it goes.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { pipeline } from 'stream';
import { PreferenceFormat, PreferencePair, ReadIssue } from './types';
import { RawRecord } from './rawRecord';
import { isReadIssue } from './issues';
import { PairAssembler } from './recordParser';
import { DEFAULT_MAX_RECORD_BYTES, JsonlByteSplitter } from './jsonlSplitter';
import { JsonArraySplitter, looksLikeJsonArray } from './jsonArraySplitter';
import { UnsafePathError } from '../fs/safeFiles';

export interface ReadOptions {
  /** Force a format instead of detecting it from the first readable record ('auto', the default). */
  format?: PreferenceFormat | 'auto';
  /** Records larger than this are reported and skipped without being held (default 256 MB). */
  maxRecordBytes?: number;
}

export interface LoadedPreferences {
  /** The format read (the override, or the first pair's); null when no pair was read. */
  format: PreferenceFormat | null;
  pairs: PreferencePair[];
  issues: ReadIssue[];
}

/** Parsing a chunk takes a few ms at most; past this budget the reader lets the event loop run. */
const YIELD_EVERY_MS = 10;

export function forcedFormat(options?: ReadOptions): PreferenceFormat | undefined {
  return options?.format === undefined || options.format === 'auto' ? undefined : options.format;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The file's bytes, decompressed when gzipped. Fails with a clear message for a missing file. */
async function openBytes(path: string): Promise<AsyncIterable<Buffer>> {
  let gz: boolean;
  try {
    // A FIFO or a character device (a link to /dev/zero) would block or never end: regular files only.
    const st = await fs.promises.stat(path);
    if (!st.isFile() && !st.isDirectory()) throw new UnsafePathError(`${path} is ${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : 'not a regular file'}: refusing to read it`);
    gz = await isGzip(path);
  } catch (err) {
    if (err instanceof UnsafePathError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new Error(`cannot read ${path}: ${why}`);
  }
  const file = fs.createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gz) return file;
  const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
  // pipeline (not pipe) closes the file too when the reader stops early or gunzip fails; the
  // error itself reaches the reader through gunzip's iteration.
  pipeline(file, gunzip, () => undefined);
  return gunzip;
}

/**
 * Streams pairs and issues in file order; tell them apart with `isReadIssue`. Stopping early
 * (`break`) closes the file.
 */
export function readPreferenceFile(path: string, options?: ReadOptions): AsyncIterable<PreferencePair | ReadIssue> {
  return { [Symbol.asyncIterator]: () => flatten(readPreferenceBatches(path, options)) };
}

/**
 * An iterator over the items of the batches. Hand-written because an async generator pays an
 * extra await per item, which was a third of the reading time on a 200 MB file.
 */
function flatten<T>(batches: AsyncGenerator<T[]>): AsyncIterator<T> {
  let batch: T[] = [];
  let i = 0;
  const next = (): Promise<IteratorResult<T>> => {
    if (i < batch.length) return Promise.resolve({ value: batch[i++], done: false });
    return batches.next().then((r) => {
      if (r.done) return { value: undefined, done: true };
      batch = r.value;
      i = 0;
      return next();
    });
  };
  return {
    next,
    return: () => batches.return([]).then(() => ({ value: undefined, done: true })),
  };
}

/**
 * Streams pairs and issues one batch per chunk read (about 1 MB of file). For bulk consumers
 * (CLI, benchmarks); the per-item `readPreferenceFile` is the usual entry.
 */
export async function* readPreferenceBatches(path: string, options?: ReadOptions): AsyncGenerator<Array<PreferencePair | ReadIssue>> {
  const assembler = new PairAssembler(forcedFormat(options));
  const maxRecordBytes = options?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const bytes = await openBytes(path);
  let lines: JsonlByteSplitter | undefined;
  let array: ArrayState | undefined;
  let lastYield = Date.now();
  // One record at a time, so reading stops right after the issue that gives up.
  const accept = (records: Array<RawRecord | ReadIssue>): Array<PreferencePair | ReadIssue> => {
    const out: Array<PreferencePair | ReadIssue> = [];
    for (const r of records) {
      if (assembler.stopped) break;
      out.push('text' in r ? assembler.accept(r) : assembler.issue(r));
    }
    return out;
  };

  try {
    for await (const chunk of bytes) {
      if (!lines && !array) {
        if (looksLikeJsonArray(chunk.subarray(0, 4096).toString('utf8'))) {
          array = { splitter: new JsonArraySplitter(maxRecordBytes), decoder: new TextDecoder('utf-8', { fatal: true }), lossy: false };
        } else {
          lines = new JsonlByteSplitter(maxRecordBytes);
        }
      }
      const batch = accept(lines ? lines.push(chunk) : pushArrayChunk(array!, chunk));
      if (batch.length) yield batch;
      if (assembler.stopped) return;
      if (Date.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
    }
  } catch (err) {
    // A corrupt .gz (or a read error midway) ends the stream; what was read stays read.
    yield [{ line: lines ? lines.nextLine : array?.splitter.currentLine ?? 1, message: `could not read further: ${(err as Error).message}` }];
    return;
  }
  const rest = lines ? accept(lines.end()) : array ? accept([...pushArrayTail(array), ...array.splitter.end()]) : [];
  if (rest.length) yield rest;
}

interface ArrayState {
  splitter: JsonArraySplitter;
  decoder: TextDecoder;
  /** Set once invalid UTF-8 was reported (once per file). */
  lossy: boolean;
}

/** Decodes strictly; on the first invalid byte, says where and goes on with replacement chars. */
function pushArrayChunk(state: ArrayState, chunk: Buffer): Array<RawRecord | ReadIssue> {
  let text: string;
  const issues: ReadIssue[] = [];
  try {
    text = state.decoder.decode(chunk, { stream: true });
  } catch {
    state.decoder = new TextDecoder('utf-8');
    text = state.decoder.decode(chunk, { stream: true });
    if (!state.lossy) {
      state.lossy = true;
      const bad = text.indexOf('\ufffd');
      const line = state.splitter.currentLine + countNewlines(text, bad < 0 ? 0 : bad);
      issues.push({ line, message: 'not valid UTF-8 text (invalid bytes read as U+FFFD); is this a binary file?' });
    }
  }
  return [...issues, ...state.splitter.push(text)];
}

function pushArrayTail(state: ArrayState): Array<RawRecord | ReadIssue> {
  try {
    const text = state.decoder.decode();
    return text ? state.splitter.push(text) : [];
  } catch {
    return [{ line: state.splitter.currentLine, message: 'the file ends inside a UTF-8 character' }];
  }
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Reads the whole file into pairs and issues. */
export async function loadPreferenceFile(path: string, options?: ReadOptions): Promise<LoadedPreferences> {
  const pairs: PreferencePair[] = [];
  const issues: ReadIssue[] = [];
  let format: PreferenceFormat | null = forcedFormat(options) ?? null;
  for await (const batch of readPreferenceBatches(path, options)) {
    for (const item of batch) {
      if (isReadIssue(item)) issues.push(item);
      else {
        format ??= item.format;
        pairs.push(item);
      }
    }
  }
  return { format, pairs, issues };
}
