// Follows a metrics.jsonl that a trainer is still appending to: each read() returns only the events of the
// lines completed since the last call, keeping a torn last line (the writer mid-line) for the next read.
// Reads are asynchronous (the extension host follows runs a repository may have shipped) and size-capped.
import * as fs from 'fs';
import { TrainerEvent, upgradeTrainerEvent } from '../protocol';
import { eachJsonlLine } from './jsonlLines';
import { openRegularForRead, READ_LIMITS, UnsafePathError } from '../fs/safeFiles';

export interface TailRead {
  events: TrainerEvent[];
  /** 1-based line numbers in the file that are not events. */
  badLines: number[];
  /** The file shrank or was replaced (a new run in the same folder): the caller must rebuild from these events. */
  reset: boolean;
}

const NEWLINE = 0x0a;
/** Read at most this much per call, so a huge file is taken in steps rather than one allocation. */
const MAX_CHUNK = 8 * 1024 * 1024;

export class MetricsTail {
  /** Bytes consumed: the end of the last complete line read. */
  private offset = 0;
  /** Bytes after the last newline (a line still being written). */
  private pending: Buffer = Buffer.alloc(0);
  private linesSeen = 0;
  private inode: number | null = null;

  constructor(readonly file: string) {}

  /** Bytes of complete lines consumed so far. */
  get consumedBytes(): number {
    return this.offset;
  }

  /**
   * Events of every line completed since the last read. A missing file, or one that is not a regular file
   * (a FIFO or a device in a shipped run folder), reads as no events; one over the metrics size cap throws.
   */
  async read(): Promise<TailRead> {
    const out: TailRead = { events: [], badLines: [], reset: false };
    let opened: { handle: fs.promises.FileHandle; stat: fs.Stats };
    try {
      // Open first, then look at what was opened: no stat-then-open window for a swap.
      opened = await openRegularForRead(this.file);
    } catch (err) {
      if (err instanceof UnsafePathError || (err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    const { handle, stat } = opened;
    let chunk: Buffer;
    try {
      if (stat.size > READ_LIMITS.jsonl.maxBytes) {
        throw new UnsafePathError(`${this.file} is ${stat.size} bytes, over the ${READ_LIMITS.jsonl.maxBytes}-byte limit for this file: not following it`);
      }
      const end = this.offset + this.pending.length;
      if (stat.size < end || (this.inode !== null && stat.ino !== this.inode)) {
        this.offset = 0;
        this.pending = Buffer.alloc(0);
        this.linesSeen = 0;
        out.reset = true;
      }
      this.inode = stat.ino;
      const start = this.offset + this.pending.length;
      if (stat.size <= start) return out;
      const length = Math.min(stat.size - start, MAX_CHUNK);
      chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, start);
      chunk = chunk.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    const data = Buffer.concat([this.pending, chunk]);
    const lastNewline = data.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      this.pending = data;
      return out;
    }
    // Split on bytes, decode only whole lines: a multi-byte character cut by the chunk stays in `pending`.
    const complete = data.subarray(0, lastNewline + 1).toString('utf8');
    this.pending = Buffer.from(data.subarray(lastNewline + 1));
    this.offset += lastNewline + 1;
    this.linesSeen += eachJsonlLine(complete, this.linesSeen + 1, (entry) => {
      const parsed = 'error' in entry ? null : upgradeTrainerEvent(entry.value);
      if (parsed && 'event' in parsed) out.events.push(parsed.event);
      else out.badLines.push(entry.line);
    });
    return out;
  }

  /** Read until the end of the file (several chunks for a large file); events in order, `reset` if any step reset. */
  async readAll(): Promise<TailRead> {
    const all: TailRead = { events: [], badLines: [], reset: false };
    for (;;) {
      const before = this.offset + this.pending.length;
      const part = await this.read();
      if (part.reset) {
        all.events = [];
        all.badLines = [];
        all.reset = true;
      }
      all.events.push(...part.events);
      all.badLines.push(...part.badLines);
      if (this.offset + this.pending.length === before && !part.reset) return all;
    }
  }
}
