// What an experiment arm keeps of its trainer's events, whichever engine ran it: the backend, the last
// value of each training metric, their means over the last TAIL_STEPS rows (one batch alone is noisy)
// and the mean SPO coverage.
import type { TrainerEvent } from '../protocol/trainer';
import type { ArmOutcome } from '../protocol/armJob';
import { TAIL_STEPS } from './types';

export type ArmEventFields = Pick<ArmOutcome, 'backend' | 'backendNote' | 'finalTrain' | 'tailTrain' | 'meanSpoCoverage'>;

export function tailMeans(rows: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const sums: Record<string, { sum: number; n: number }> = {};
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      if (k === 'step' || !Number.isFinite(v)) continue;
      sums[k] ??= { sum: 0, n: 0 };
      sums[k].sum += v;
      sums[k].n++;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, { sum, n }]) => [k, sum / n]));
}

export class ArmEventSummary {
  private backend = '';
  private backendNote = '';
  private readonly finalTrain: Record<string, number> = {};
  private readonly trainRows: Array<Record<string, number>> = [];
  private readonly coverage: number[] = [];

  observe(e: TrainerEvent): void {
    if (e.type === 'started') {
      this.backend = e.backend;
      this.backendNote = e.backendNote;
    } else if (e.type === 'metrics' && e.split === 'train') {
      for (const [k, v] of Object.entries(e.row)) if (Number.isFinite(v)) this.finalTrain[k] = v;
      this.trainRows.push(e.row);
      if (Number.isFinite(e.row['spo/coverage'])) this.coverage.push(e.row['spo/coverage']);
    }
  }

  /** The outcome's event-derived fields; the coverage mean only for an arm with SPO on. */
  fields(spoOn: boolean): ArmEventFields {
    const c = this.coverage;
    return {
      backend: this.backend,
      backendNote: this.backendNote,
      finalTrain: { ...this.finalTrain },
      tailTrain: tailMeans(this.trainRows.slice(-TAIL_STEPS)),
      meanSpoCoverage: spoOn && c.length ? c.reduce((a, b) => a + b, 0) / c.length : null,
    };
  }
}
