// An experiment's human-readable outputs, drawn from results.json alone: the plots and summary.md,
// with the folder's hand-written analysis.md appended when there is one (so re-rendering keeps it).
import * as fs from 'fs';
import * as path from 'path';
import { experimentCharts, writeCharts } from './charts';
import { renderSummary } from './summary';
import { ExperimentResults } from './types';
import { EXPERIMENT_FILES } from '../runs/experimentResults';

export const ANALYSIS_FILE = 'analysis.md';

/** Write the plots and summary.md of `results` into `outDir`; returns what the plots step wrote. */
export async function writeReport(outDir: string, results: ExperimentResults): Promise<ExperimentResults['plots']> {
  const plots = await writeCharts(outDir, experimentCharts(results.summaries, results.runs, results.sweep));
  const analysisFile = path.join(outDir, ANALYSIS_FILE);
  const analysis = fs.existsSync(analysisFile) ? fs.readFileSync(analysisFile, 'utf8') : null;
  fs.writeFileSync(path.join(outDir, EXPERIMENT_FILES.summary), renderSummary({ ...results, plots }, { analysis }));
  return plots;
}

export function readResults(outDir: string): ExperimentResults {
  const file = path.join(outDir, EXPERIMENT_FILES.results);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read experiment results (${(err as Error).message})`);
  }
  if ((parsed as { kind?: unknown } | null)?.kind !== 'spo-vs-dpo') throw new Error(`${file}: not the results of 'spo experiment spo-vs-dpo'`);
  return parsed as ExperimentResults;
}
