// From per-run records to per-arm mean ± std and paired comparisons of each SPO arm with the DPO
// baseline (same seeds, so the seed-to-seed noise shared by both arms cancels in the differences).
import { mean, pairedTTest, sampleStd, signTest, wilcoxonSignedRank } from './stats';
import { ArmSpec, ArmSummary, COMPARED_METRICS, Comparison, MetricName, RunRecord } from './types';

export const BASELINE_ARM = 'dpo';

function runsOf(runs: readonly RunRecord[], arm: string): RunRecord[] {
  return runs.filter((r) => r.arm === arm).sort((a, b) => a.seed - b.seed);
}

export function summariseArms(arms: readonly ArmSpec[], runs: readonly RunRecord[]): ArmSummary[] {
  return arms.map((arm) => {
    const rs = runsOf(runs, arm.name);
    const meanBy = {} as Record<MetricName, number>;
    const stdBy = {} as Record<MetricName, number>;
    for (const m of COMPARED_METRICS) {
      const values = rs.map((r) => r.metrics[m]);
      meanBy[m] = mean(values);
      stdBy[m] = sampleStd(values);
    }
    return { arm: arm.name, sweepValue: arm.sweepValue, n: rs.length, mean: meanBy, std: stdBy };
  });
}

/** Every non-baseline arm against the baseline, per metric, on the seeds both ran. */
export function compareWithBaseline(arms: readonly ArmSpec[], runs: readonly RunRecord[], baseline = BASELINE_ARM): Comparison[] {
  const base = new Map(runsOf(runs, baseline).map((r) => [r.seed, r]));
  const out: Comparison[] = [];
  for (const arm of arms) {
    if (arm.name === baseline) continue;
    const paired = runsOf(runs, arm.name).filter((r) => base.has(r.seed));
    for (const metric of COMPARED_METRICS) {
      const baselineValues = paired.map((r) => base.get(r.seed)!.metrics[metric]);
      const armValues = paired.map((r) => r.metrics[metric]);
      out.push({
        arm: arm.name,
        baseline,
        sweepValue: arm.sweepValue,
        seeds: paired.map((r) => r.seed),
        metric,
        baselineValues,
        armValues,
        differences: armValues.map((v, i) => v - baselineValues[i]),
        tTest: pairedTTest(baselineValues, armValues),
        sign: signTest(baselineValues, armValues),
        wilcoxon: wilcoxonSignedRank(baselineValues, armValues),
      });
    }
  }
  return out;
}

export type Verdict = 'better' | 'worse' | 'no-significant-difference' | 'too-few-seeds';

/** The plain-language reading of one comparison at level `alpha`. */
export function verdict(c: Comparison, alpha = 0.05): Verdict {
  if (c.tTest.n < 2 || Number.isNaN(c.tTest.p)) return 'too-few-seeds';
  if (c.tTest.p >= alpha) return 'no-significant-difference';
  return c.tTest.meanDiff > 0 ? 'better' : 'worse';
}

export interface LengthDiagnostic {
  /** Accuracy of the rule "the shorter response is the chosen one" on the held-out pairs (ties count ½). */
  shorterIsChosen: number;
  /** Per arm: mean over seeds of the share of held-out pairs where sign(margin) agrees with that rule. */
  agreement: Array<{ arm: string; agreement: number }>;
}

/**
 * How much of a reward model's accuracy a length rule explains: summed log-probs fall with length,
 * so a DPO margin can learn "shorter wins" when chosen responses tend to be shorter.
 */
export function lengthDiagnostic(lengths: { chosen: number[]; rejected: number[] }, arms: readonly ArmSpec[], runs: readonly RunRecord[]): LengthDiagnostic {
  const rule = lengths.chosen.map((c, i) => Math.sign(lengths.rejected[i] - c)); // +1: chosen shorter
  const shorterIsChosen = rule.reduce((a, s) => a + (s > 0 ? 1 : s === 0 ? 0.5 : 0), 0) / Math.max(1, rule.length);
  const agreement = arms.map((arm) => {
    const shares = runs.filter((r) => r.arm === arm.name && r.heldOutMargins.length === rule.length).map((r) =>
      r.heldOutMargins.reduce((a, m, i) => a + (rule[i] !== 0 && Math.sign(m) === rule[i] ? 1 : 0), 0) / Math.max(1, rule.filter((s) => s !== 0).length));
    return { arm: arm.name, agreement: shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : NaN };
  });
  return { shorterIsChosen, agreement };
}

export interface ArmSimilarity {
  arm: string;
  seed: number;
  /** Share of held-out pairs where the arm and DPO (same seed) put the margin on the same side of 0. */
  sameSign: number;
  /** Pearson correlation of the two runs' held-out margins. */
  correlation: number;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((x, y) => x + y, 0) / a.length;
  const mb = b.reduce((x, y) => x + y, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  a.forEach((x, i) => {
    sab += (x - ma) * (b[i] - mb);
    saa += (x - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  });
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** How far SPO moved each run away from the DPO run of the same seed, pair by pair. */
export function armSimilarity(runs: readonly RunRecord[], baseline = BASELINE_ARM): ArmSimilarity[] {
  const base = new Map(runs.filter((r) => r.arm === baseline).map((r) => [r.seed, r.heldOutMargins]));
  return runs
    .filter((r) => r.arm !== baseline && base.get(r.seed)?.length === r.heldOutMargins.length && r.heldOutMargins.length > 0)
    .map((r) => {
      const b = base.get(r.seed)!;
      const same = r.heldOutMargins.filter((m, i) => m > 0 === b[i] > 0).length;
      return { arm: r.arm, seed: r.seed, sameSign: same / b.length, correlation: pearson(b, r.heldOutMargins) };
    });
}

/** Ranks 1..n with ties given their average rank (Spearman's correlation needs them: data degrees tie often). */
function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const ranks = new Array<number>(xs.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].x === order[start].x) end++;
    for (let k = start; k <= end; k++) ranks[order[k].i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's rank correlation (Pearson on average ranks); NaN when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(averageRanks(a), averageRanks(b));
}

export interface DegreeBin {
  /** Which side of 0 the pair's data degree is on. */
  bin: 'negative' | 'zero' | 'positive';
  pairs: number;
  /** Share of the bin's pairs with margin > 0, mean over seeds. */
  accuracy: number;
}

export interface DataDegreeDiagnostic {
  arm: string;
  /** Spearman correlation of the held-out data degree and the learned margin, mean over seeds. */
  spearman: number;
  /** The same per seed, in run order. */
  perSeed: number[];
  bins: DegreeBin[];
}

/**
 * The paper's question of key content and preference, per example: does the learned margin follow how
 * one-sided a pair's key content is (the data degree, computed from the responses alone)?
 */
export function dataDegreeDiagnostic(dataDegrees: readonly number[], arms: readonly ArmSpec[], runs: readonly RunRecord[]): DataDegreeDiagnostic[] {
  const binOf = (d: number): DegreeBin['bin'] => (d < 0 ? 'negative' : d > 0 ? 'positive' : 'zero');
  return arms.map((arm) => {
    const rs = runs.filter((r) => r.arm === arm.name && r.heldOutMargins.length === dataDegrees.length && dataDegrees.length > 0);
    const perSeed = rs.map((r) => spearman(dataDegrees, r.heldOutMargins));
    const finite = perSeed.filter(Number.isFinite);
    const bins = (['negative', 'zero', 'positive'] as const).map((bin) => {
      const idx = dataDegrees.map((d, i) => (binOf(d) === bin ? i : -1)).filter((i) => i >= 0);
      const accs = rs.map((r) => idx.filter((i) => r.heldOutMargins[i] > 0).length / Math.max(1, idx.length));
      return { bin, pairs: idx.length, accuracy: idx.length && accs.length ? accs.reduce((a, b) => a + b, 0) / accs.length : NaN };
    });
    return { arm: arm.name, spearman: finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN, perSeed, bins };
  });
}
