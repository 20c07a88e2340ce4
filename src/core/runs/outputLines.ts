// Line-by-line reading of a child process's stdout/stderr, keeping the last lines for crash reports.
// Shared by the trainer client and the CLI-process client so both split and remember output the same way.
import type { Readable } from 'stream';

export type OutputStream = 'stdout' | 'stderr';

/** The last `max` lines seen, oldest first. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly max: number) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }

  snapshot(): string[] {
    return [...this.lines];
  }
}

/** Calls `onLine` for every non-empty line of `source` (CRLF tolerated; a last unterminated line is flushed at end). */
export function forEachLine(source: Readable | null, onLine: (line: string) => void): void {
  if (!source) return;
  source.setEncoding('utf8');
  let pending = '';
  const emit = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    if (line !== '') onLine(line);
  };
  source.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(emit);
  });
  source.on('end', () => {
    if (pending) emit(pending);
    pending = '';
  });
}
