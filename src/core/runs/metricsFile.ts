// Reads <run>/metrics.jsonl (one TrainerEvent per line). The trainer may be mid-write, so a
// truncated or garbled last line is skipped silently; a bad line elsewhere is reported by number.
import { TrainerEvent, upgradeTrainerEvent } from '../protocol';
import { READ_LIMITS, readRegularFile } from '../fs/safeFiles';
import { eachJsonlLine } from './jsonlLines';

export interface MetricsFileContent {
  events: TrainerEvent[];
  /** 1-based lines that are not events (a torn last line is not listed). */
  badLines: number[];
  /** Byte length consumed, up to the end of the last complete line: resume reading there. */
  consumedBytes: number;
}

/** Parse metrics.jsonl text. Only text up to the last newline counts unless `final` (the writer is done). */
export function parseMetricsText(text: string, final = false): MetricsFileContent {
  const events: TrainerEvent[] = [];
  const badLines: number[] = [];
  const lastNewline = text.lastIndexOf('\n');
  const complete = final ? text : text.slice(0, lastNewline + 1);
  let lastJsonError = 0;
  const lineCount = eachJsonlLine(complete, 1, (entry) => {
    if ('error' in entry) {
      badLines.push(entry.line);
      lastJsonError = entry.line;
      return;
    }
    // A line of the wrong shape is reported and skipped: one bad line never hides the rest of a run.
    const parsed = upgradeTrainerEvent(entry.value);
    if ('event' in parsed) events.push(parsed.event);
    else badLines.push(entry.line);
  });
  if (final && lastJsonError > 0 && lastJsonError === lineCount) badLines.pop(); // a torn tail of a finished file is expected after a crash
  return { events, badLines, consumedBytes: Buffer.byteLength(complete, 'utf8') };
}

/** Read a whole metrics.jsonl without blocking; the last line may be torn (crash, or still being written). Missing file = no events. */
export async function readMetricsFileAsync(file: string): Promise<MetricsFileContent> {
  let text: string;
  try {
    text = (await readRegularFile(file, READ_LIMITS.jsonl)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], badLines: [], consumedBytes: 0 };
    throw err;
  }
  return parseMetricsText(text, true);
}
