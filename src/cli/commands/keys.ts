// `spo keys`: the key content (RAKE, spo-method.md §1) of every pair's responses and each pair's
// data degree (§6), with the raw file range of every key, as JSONL or a readable summary.
import { parseArgs } from 'node:util';
import { CliCommand, CliIO, UsageError } from '../command';
import { formatIssue, isPreferenceFormat, isReadIssue, PreferenceFormat, PreferencePair, readPreferenceFile } from '../../core/data';
import { analyzePair, createExtractor, DEFAULT_MAX_KEYS, EXTRACTOR_NAMES, PairKeyAnalysis, RankedKey } from '../../core/keys';
import { RawRange, SourcedText } from '../../core/data/types';
import { capOccurrences } from '../../core/keys/displayLimits';

const USAGE = `usage: spo keys FILE [--json] [--max-keys N] [--format F] [--extractor NAME]

Extract the key content of each pair's chosen and rejected response (RAKE, spo-method §1)
and the pair's data degree (u_w - u_l) / max(1, u_w + u_l) (§6).
FILE: JSONL or a JSON array, optionally gzipped.

  --json            JSONL: one JSON object per pair per line:
                      {"line", "chosen": {"keys": [...]}, "rejected": {"keys": [...]},
                       "degree": {"data", "chosenOnly", "rejectedOnly", "sharedPhrases"}}
                    each key: {"text", "start", "end", "score", "phrase", "rank", "shared",
                               "raw": {"line", "start", "end"}}
                    start/end: UTF-16 offsets into the response; raw: 1-based file line and
                    0-based UTF-16 columns of the characters that, JSON-unescaped, spell the key
                    (null when the text has no single source literal).
  --max-keys N      at most N distinct key phrases per response (default ${DEFAULT_MAX_KEYS}); every
                    occurrence of a kept phrase is listed
  --format F        auto | trl | trl-conversational | hh | tldr | ultrafeedback (default auto)
  --extractor NAME  ${EXTRACTOR_NAMES.join(' | ')} (default rake)

Bad records are reported on stderr as FILE:LINE: message and skipped.
Exit status: 0 when at least one pair was read, 1 when none was, 2 on a usage error.
`;

interface KeysArgs {
  file: string;
  json: boolean;
  maxKeys: number;
  format: PreferenceFormat | 'auto';
  extractor: string;
}

function parseKeysArgs(argv: string[]): KeysArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'max-keys': { type: 'string' },
      format: { type: 'string', default: 'auto' },
      extractor: { type: 'string', default: 'rake' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length} (spo keys --help for usage)`);
  const maxKeysText = values['max-keys'] ?? String(DEFAULT_MAX_KEYS);
  const maxKeys = Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new UsageError(`--max-keys must be a positive integer, got '${maxKeysText}'`);
  const format = values.format;
  if (format !== 'auto' && !isPreferenceFormat(format)) {
    throw new UsageError(`--format must be auto, trl, trl-conversational, hh, tldr or ultrafeedback, got '${format}'`);
  }
  if (!(EXTRACTOR_NAMES as readonly string[]).includes(values.extractor)) {
    throw new UsageError(`--extractor must be one of ${EXTRACTOR_NAMES.join(', ')}, got '${values.extractor}'`);
  }
  return { file: positionals[0], json: values.json, maxKeys, format, extractor: values.extractor };
}

/** A key as `spo keys --json` prints it: the analysis plus where it is in the file. */
export interface KeyRecord extends RankedKey {
  raw: RawRange | null;
}

/** One line of `spo keys --json`. `omitted`: occurrences past the per-phrase cap (displayLimits.ts), absent when none. */
export interface PairKeysRecord {
  line: number;
  chosen: { keys: KeyRecord[]; omitted?: number };
  rejected: { keys: KeyRecord[]; omitted?: number };
  degree: PairKeyAnalysis['degree'];
}

export function pairKeysRecord(pair: PreferencePair, analysis: PairKeyAnalysis): PairKeysRecord {
  const side = (text: SourcedText, all: RankedKey[]): { keys: KeyRecord[]; omitted?: number } => {
    const { keys, dropped } = capOccurrences(all);
    const out = keys.map((k) => ({ ...k, raw: text.source ? text.source.toRaw(k.start, k.end) : null }));
    return dropped > 0 ? { keys: out, omitted: dropped } : { keys: out };
  };
  return {
    line: pair.line,
    chosen: side(pair.chosen, analysis.chosen.keys),
    rejected: side(pair.rejected, analysis.rejected.keys),
    degree: analysis.degree,
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function signed(x: number): string {
  return (x > 0 ? '+' : x < 0 ? '' : ' ') + x.toFixed(2);
}

/** Distinct phrases, best first, as `text (score)`; ×N when the phrase occurs N times, * when shared. */
function keyList(keys: RankedKey[]): string {
  if (keys.length === 0) return '(no key content)';
  const byRank = new Map<number, { key: RankedKey; count: number }>();
  for (const k of keys) {
    const entry = byRank.get(k.rank);
    if (entry) entry.count++;
    else byRank.set(k.rank, { key: k, count: 1 });
  }
  return [...byRank.values()]
    .map(({ key, count }) => `${JSON.stringify(key.text)}${key.shared ? '*' : ''} ${key.score.toFixed(1)}${count > 1 ? ` ×${count}` : ''}`)
    .join(' · ');
}

function omitted(n: number | undefined): string {
  return n ? ` (+${n} more occurrences not listed)` : '';
}

function summary(record: PairKeysRecord): string {
  const d = record.degree;
  return [
    `line ${record.line}  data degree ${signed(d.data)}  ` +
      `(${d.chosenOnly.length} chosen-only, ${d.rejectedOnly.length} rejected-only, ${d.sharedPhrases.length} shared)`,
    `  chosen:   ${keyList(record.chosen.keys)}${omitted(record.chosen.omitted)}`,
    `  rejected: ${keyList(record.rejected.keys)}${omitted(record.rejected.omitted)}`,
    '',
  ].join('\n');
}

/**
 * Output that waits when the stream's buffer is full, so a large file does not pile up in memory,
 * and notices a closed reader (`spo keys FILE | head`) so the command stops instead of crashing.
 */
class Output {
  closed = false;
  private readonly onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') this.closed = true;
    else throw err;
  };

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', this.onError);
  }

  async write(text: string): Promise<void> {
    if (this.closed || this.stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('error', done);
    });
  }

  dispose(): void {
    this.stream.off('error', this.onError);
  }
}

async function runKeys(argv: string[], io: CliIO): Promise<number> {
  const args = parseKeysArgs(argv);
  const extractor = createExtractor(args.extractor);
  const out = new Output(io.stdout);
  let pairs = 0;
  let issues = 0;
  let degreeSum = 0;
  try {
    for await (const item of readPreferenceFile(args.file, { format: args.format })) {
      if (isReadIssue(item)) {
        issues++;
        io.stderr.write(formatIssue(args.file, item) + '\n');
        continue;
      }
      const record = pairKeysRecord(item, analyzePair(item, extractor, args.maxKeys));
      pairs++;
      degreeSum += record.degree.data;
      await out.write(args.json ? JSON.stringify(record) + '\n' : summary(record));
      if (out.closed) return 0;
    }
    if (!args.json) {
      const mean = pairs > 0 ? signed(degreeSum / pairs) : 'n/a';
      await out.write(`${plural(pairs, 'pair')}, ${plural(issues, 'bad record')} skipped; mean data degree ${mean}; * = phrase in both responses\n`);
    }
  } catch (err) {
    io.stderr.write(`spo keys: ${(err as Error).message}\n`);
    return 1;
  } finally {
    out.dispose();
  }
  if (pairs === 0) {
    io.stderr.write(`spo keys: no preference pair could be read from ${args.file}\n`);
    return 1;
  }
  return 0;
}

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'key content (RAKE) of each pair and its data degree, with raw file ranges',
  usage: USAGE,
  run: runKeys,
};
