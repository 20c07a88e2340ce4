// `spo degrees`: the per-example preference degrees of a finished run (<run>/degrees.jsonl),
// hardest first (smallest model margin), as a table or as JSONL.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from '../command';
import type { DegreeRecord } from '../../core/protocol';
import { compareHardestFirst, DegreeLineError, readDegreeRecords } from '../../core/runs';
import { RUN_FILES } from '../../core/train/runFolder';

const USAGE = `usage: spo degrees --run DIR [--json] [--limit N]

Per-example preference degrees of a training run (spo-method §6), hardest first:
  model degree  β·[(log π_w − log π_ref,w) − (log π_l − log π_ref,l)] and σ of it = P(chosen ≻ rejected)
  SPO degree    each head's class distribution on the intact response and its E[c]
                (how much key content the model thinks is missing)
  data degree   (u_w − u_l) / max(1, u_w + u_l) from the key phrases alone
                ('-' for runs of the torch engine, which leaves it to the editor)

  --run DIR    a run folder written by 'spo train' (reads DIR/degrees.jsonl)
  --json       one JSON object per line (the degrees.jsonl records, sorted)
  --limit N    only the N hardest examples (default: all)
`;

function readDegrees(runDir: string): DegreeRecord[] {
  const file = path.join(runDir, RUN_FILES.degrees);
  if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist (the run has not finished training, or DIR is not a run folder)`);
  try {
    return readDegreeRecords(file);
  } catch (err) {
    if (err instanceof DegreeLineError) throw new UsageError(err.message);
    throw err;
  }
}

function hardestFirst(records: DegreeRecord[]): DegreeRecord[] {
  const key = (r: DegreeRecord) => ({ line: r.line, margin: r.model.margin, data: r.data?.degree ?? null });
  return records.slice().sort((a, b) => compareHardestFirst(key(a), key(b)));
}

function fixed(x: number, digits = 3): string {
  return (x >= 0 ? ' ' : '') + x.toFixed(digits);
}

export const degreesCommand: CliCommand = {
  name: 'degrees',
  summary: 'per-example preference degrees of a training run, hardest first',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { run: { type: 'string' }, json: { type: 'boolean', default: false }, limit: { type: 'string' } },
    });
    if (!values.run) throw new UsageError('missing --run DIR (spo degrees --help for usage)');
    let limit = Infinity;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got '${values.limit}'`);
    }
    const records = hardestFirst(readDegrees(values.run)).slice(0, limit);
    if (values.json) {
      for (const r of records) io.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }
    io.stdout.write('  line  split   margin  P(w≻l)  E[c] pref  E[c] dispref    data\n');
    for (const r of records) {
      const spo = r.spo ? `${r.spo.pref.expected.toFixed(2).padStart(9)}  ${r.spo.dispref.expected.toFixed(2).padStart(12)}` : `${'-'.padStart(9)}  ${'-'.padStart(12)}`;
      io.stdout.write(`${String(r.line).padStart(6)}  ${r.split.padEnd(5)} ${fixed(r.model.margin).padStart(8)}  ${r.model.probability.toFixed(3)}  ${spo}  ${(r.data ? fixed(r.data.degree, 2) : '-').padStart(6)}\n`);
    }
    return 0;
  },
};
