// `spo convert FILE --to trl`: rewrites every valid pair as a TRL JSONL record on stdout.
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from '../command';
import { formatIssue, isReadIssue, PREFERENCE_FORMATS, readPreferenceBatches, toTrlRecord } from '../../core/data';
import { parseFormatFlag } from './inspect';

const USAGE = `usage: spo convert FILE [--to trl] [--format F]

Writes every valid pair of FILE to stdout as TRL JSONL: {"prompt", "chosen", "rejected",
"source_line"} (conversational input keeps its message lists). Bad lines go to stderr as
FILE:LINE: message.

  --to trl     output format (only trl for now)
  --format F   input format: ${['auto', ...PREFERENCE_FORMATS].join(' | ')} (default auto)

Exit status: 0 when the file was read (bad lines included), 1 when it holds no readable pair,
2 for a usage error.`;

/**
 * Writes lines, waiting for the stream to drain when it is full so a big file is not buffered;
 * a closed reader (`spo convert … | head`) ends the output quietly instead of crashing.
 */
class LineWriter {
  closed = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', () => { this.closed = true; });
  }

  async write(text: string): Promise<void> {
    if (this.closed || this.stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => { this.stream.off('drain', done); this.stream.off('error', done); resolve(); };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
  }
}

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: 'Rewrite a preference file as TRL JSONL (prompt/chosen/rejected) on stdout',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { to: { type: 'string', default: 'trl' }, format: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length}\n\n${USAGE}`);
    if (values.to !== 'trl') throw new UsageError(`unknown output format '${values.to}' (expected trl)`);
    const file = positionals[0];
    const format = parseFormatFlag(values.format);
    let pairs = 0;
    let firstIssue: string | undefined;
    const out = new LineWriter(io.stdout);
    try {
      for await (const batch of readPreferenceBatches(file, { format })) {
        for (const item of batch) {
          if (isReadIssue(item)) {
            firstIssue ??= `line ${item.line}: ${item.message}`;
            io.stderr.write(formatIssue(file, item) + '\n');
          } else {
            pairs++;
            await out.write(JSON.stringify(toTrlRecord(item)) + '\n');
            if (out.closed) return 0;
          }
        }
      }
    } catch (err) {
      io.stderr.write(`spo convert: ${(err as Error).message}\n`);
      return 1;
    }
    if (pairs === 0) {
      io.stderr.write(`spo convert: ${file}: ${firstIssue ? `no record could be read as a preference pair (first problem, ${firstIssue})` : 'the file holds no records'}\n`);
      return 1;
    }
    return 0;
  },
};
