// Length statistics of a file's pairs (characters of prompt, chosen and rejected), accumulated
// pair by pair so a streamed file never has to be held.
import { PreferencePair } from './types';

export interface SummaryStats {
  min: number;
  mean: number;
  median: number;
  max: number;
}

export interface LengthStats {
  pairs: number;
  prompt: SummaryStats;
  chosen: SummaryStats;
  rejected: SummaryStats;
  /** Share of pairs whose chosen and rejected responses are the same text. */
  identicalShare: number;
  /** Share of pairs whose chosen response is longer than the rejected one. */
  chosenLongerShare: number;
}

/** Grows typed arrays of lengths: 12 bytes per pair instead of the pair itself. */
class LengthColumn {
  private values = new Float64Array(1024);
  private n = 0;

  add(x: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = x;
  }

  summary(): SummaryStats {
    if (this.n === 0) return { min: 0, mean: 0, median: 0, max: 0 };
    const sorted = this.values.slice(0, this.n).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    const mid = this.n >> 1;
    const median = this.n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { min: sorted[0], mean: sum / this.n, median, max: sorted[this.n - 1] };
  }
}

export class LengthStatsAccumulator {
  private prompt = new LengthColumn();
  private chosen = new LengthColumn();
  private rejected = new LengthColumn();
  private pairs = 0;
  private identical = 0;
  private chosenLonger = 0;

  add(pair: PreferencePair): void {
    this.pairs++;
    this.prompt.add(pair.prompt.text.length);
    this.chosen.add(pair.chosen.text.length);
    this.rejected.add(pair.rejected.text.length);
    if (pair.chosen.text === pair.rejected.text) this.identical++;
    if (pair.chosen.text.length > pair.rejected.text.length) this.chosenLonger++;
  }

  result(): LengthStats {
    const share = (k: number) => (this.pairs ? k / this.pairs : 0);
    return {
      pairs: this.pairs,
      prompt: this.prompt.summary(),
      chosen: this.chosen.summary(),
      rejected: this.rejected.summary(),
      identicalShare: share(this.identical),
      chosenLongerShare: share(this.chosenLonger),
    };
  }
}
