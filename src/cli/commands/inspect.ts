// `spo inspect FILE`: the detected format, how many pairs read, every bad line, length statistics.
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from '../command';
import { formatIssue, isPreferenceFormat, isReadIssue, LengthStats, LengthStatsAccumulator, PREFERENCE_FORMATS, PreferenceFormat, readPreferenceBatches, ReadIssue, SummaryStats } from '../../core/data';

const USAGE = `usage: spo inspect FILE [--format F] [--json]

Reads a preference file (JSONL or a JSON array, optionally .gz) and prints its format, the number
of valid pairs, every bad line as FILE:LINE: message, and character-length statistics.

  --format F   ${['auto', ...PREFERENCE_FORMATS].join(' | ')} (default auto: detected from the first records)
  --json       print one JSON object {format, pairs, errors: [{line, message}], stats}

Exit status: 0 when the file was read (bad lines included), 1 when it holds no readable pair
(missing file, unknown format), 2 for a usage error.`;

/** Parses the shared `--format` flag of the data commands. */
export function parseFormatFlag(value: string | undefined): PreferenceFormat | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!isPreferenceFormat(value)) throw new UsageError(`unknown format '${value}' (expected ${['auto', ...PREFERENCE_FORMATS].join(', ')})`);
  return value;
}

function row(name: string, s: SummaryStats): string {
  const cells = [s.min, Math.round(s.mean), s.median, s.max].map((x) => String(x).padStart(8));
  return `  ${name.padEnd(9)}${cells.join('')}`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Formats found, in order of first appearance: records of each, pairs read from them, the first line. */
type FormatsFound = Map<PreferenceFormat, { records: number; pairs: number; firstLine: number }>;

function describeFormats(format: PreferenceFormat | null, found: FormatsFound): string {
  if (found.size <= 1) return format ?? 'unknown';
  const parts = [...found].map(([f, v]) => `${f} (${v.records} ${v.records === 1 ? 'record' : 'records'}, first at line ${v.firstLine}${v.pairs < v.records ? `, ${v.records - v.pairs} not read` : ''})`);
  return `mixed: ${parts.join(', ')}`;
}

function humanReport(file: string, format: PreferenceFormat | null, found: FormatsFound, stats: LengthStats, issues: ReadIssue[]): string {
  return [
    `file:    ${file}`,
    `format:  ${describeFormats(format, found)}`,
    `pairs:   ${stats.pairs}`,
    `bad lines: ${issues.length}`,
    '',
    `length (chars)     min    mean  median     max`,
    row('prompt', stats.prompt),
    row('chosen', stats.chosen),
    row('rejected', stats.rejected),
    '',
    `chosen == rejected:          ${percent(stats.identicalShare)} of pairs`,
    `chosen longer than rejected: ${percent(stats.chosenLongerShare)} of pairs`,
    '',
  ].join('\n');
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Show a preference file\'s format, pair count, bad lines and length statistics',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length}\n\n${USAGE}`);
    const file = positionals[0];
    const format = parseFormatFlag(values.format);
    const stats = new LengthStatsAccumulator();
    const issues: ReadIssue[] = [];
    let detected: PreferenceFormat | null = format === 'auto' ? null : format;
    const found: FormatsFound = new Map();
    try {
      for await (const batch of readPreferenceBatches(file, { format })) {
        for (const item of batch) {
          if (isReadIssue(item)) {
            issues.push(item);
            if (item.otherFormat) {
              const f = found.get(item.otherFormat);
              if (f) f.records++;
              else found.set(item.otherFormat, { pairs: 0, records: 1, firstLine: item.line });
            }
          } else {
            detected ??= item.format;
            const f = found.get(item.format);
            if (f) { f.pairs++; f.records++; } else found.set(item.format, { pairs: 1, records: 1, firstLine: item.line });
            stats.add(item);
          }
        }
      }
    } catch (err) {
      io.stderr.write(`spo inspect: ${(err as Error).message}\n`);
      return 1;
    }
    const result = stats.result();
    if (values.json) {
      // `formats`: records per format found, so a file that mixes formats says which ones.
      const formats = Object.fromEntries([...found].map(([f, v]) => [f, v.records]));
      io.stdout.write(JSON.stringify({ format: result.pairs ? detected : null, formats, pairs: result.pairs, errors: issues, stats: result }) + '\n');
    } else {
      for (const issue of issues) io.stderr.write(formatIssue(file, issue) + '\n');
      io.stdout.write(humanReport(file, result.pairs ? detected : null, found, result, issues));
    }
    if (result.pairs === 0) {
      const why = issues.length ? `no record could be read as a preference pair (first problem, line ${issues[0].line}: ${issues[0].message})` : 'the file holds no records';
      io.stderr.write(`spo inspect: ${file}: ${why}\n`);
      return 1;
    }
    return 0;
  },
};
