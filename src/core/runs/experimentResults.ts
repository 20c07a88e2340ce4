// The one-line outcome of a finished experiment for a notification, read from its results.json.
import * as path from 'path';
import { READ_LIMITS, readRegularFile } from '../fs/safeFiles';
import type { ArmSummary } from '../experiment/types';

export const EXPERIMENT_FILES = { results: 'results.json', summary: 'summary.md' } as const;

/** `dpo 0.550 ± 0.071 · dpo+spo 0.600 ± 0.050` (held-out reward accuracy); null when results.json is missing or not one. */
export async function experimentHeadline(outDir: string): Promise<string | null> {
  let value: unknown;
  try {
    // The extension host reads it: asynchronously, a regular file under the JSON cap.
    value = JSON.parse((await readRegularFile(path.join(outDir, EXPERIMENT_FILES.results), READ_LIMITS.json)).toString('utf8'));
  } catch {
    return null;
  }
  const summaries = (value as { summaries?: unknown } | null)?.summaries;
  if (!Array.isArray(summaries) || summaries.length === 0) return null;
  const parts: string[] = [];
  for (const s of summaries as ArmSummary[]) {
    const mean = s?.mean?.eval_reward_accuracy;
    const std = s?.std?.eval_reward_accuracy;
    if (typeof s?.arm !== 'string' || typeof mean !== 'number') return null;
    parts.push(`${s.arm} ${mean.toFixed(3)}${typeof std === 'number' && Number.isFinite(std) ? ` ± ${std.toFixed(3)}` : ''}`);
  }
  return parts.join(' · ');
}
