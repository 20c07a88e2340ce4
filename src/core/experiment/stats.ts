// Small-sample statistics for paired comparisons of two training arms over seeds: mean ± std,
// the paired t-test (Student t CDF via the regularized incomplete beta), and exact sign/Wilcoxon tests.

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1 denominator); NaN below two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta (modified Lentz), valid for x < (a+1)/(a+b+2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b) for a, b > 0, x in [0, 1]. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`incomplete beta needs a, b > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incomplete beta needs x in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  // The continued fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`t distribution needs df > 0, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Two-sided p-value of a t statistic. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface PairedTTest {
  n: number;
  /** Mean of b − a. */
  meanDiff: number;
  /** Sample std of b − a. */
  stdDiff: number;
  t: number;
  df: number;
  /** Two-sided; NaN when undefined (n < 2, or every difference identical and non-zero gives 0). */
  p: number;
}

/**
 * Paired t-test of b against a (differences b − a). With every difference equal the std is 0:
 * t is ±∞ (p = 0) when they are non-zero and undefined (p = 1, nothing differs) when they are all zero.
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTTest {
  if (a.length !== b.length) throw new RangeError(`paired test needs equal lengths, got ${a.length} and ${b.length}`);
  const d = a.map((x, i) => b[i] - x);
  const n = d.length;
  const meanDiff = mean(d);
  const stdDiff = sampleStd(d);
  const df = n - 1;
  if (n < 2) return { n, meanDiff, stdDiff, t: NaN, df, p: NaN };
  if (stdDiff === 0) {
    return meanDiff === 0 ? { n, meanDiff, stdDiff, t: 0, df, p: 1 } : { n, meanDiff, stdDiff, t: Math.sign(meanDiff) * Infinity, df, p: 0 };
  }
  const t = meanDiff / (stdDiff / Math.sqrt(n));
  return { n, meanDiff, stdDiff, t, df, p: studentTTwoSidedP(t, df) };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

export interface SignTest {
  /** Differences b − a above zero. */
  positive: number;
  negative: number;
  /** Exact zeros, dropped from the test. */
  ties: number;
  /** Exact two-sided binomial p-value (p = 1 when nothing is left after ties). */
  p: number;
}

/** Exact two-sided sign test on the paired differences b − a. */
export function signTest(a: readonly number[], b: readonly number[]): SignTest {
  if (a.length !== b.length) throw new RangeError(`sign test needs equal lengths, got ${a.length} and ${b.length}`);
  let positive = 0;
  let negative = 0;
  let ties = 0;
  a.forEach((x, i) => {
    const d = b[i] - x;
    if (d > 0) positive++;
    else if (d < 0) negative++;
    else ties++;
  });
  const n = positive + negative;
  if (n === 0) return { positive, negative, ties, p: 1 };
  const k = Math.min(positive, negative);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += binomial(n, i);
  return { positive, negative, ties, p: Math.min(1, (2 * tail) / 2 ** n) };
}

export interface WilcoxonTest {
  /** Non-zero differences used. */
  n: number;
  /** Sum of the ranks of positive differences. */
  wPlus: number;
  wMinus: number;
  /** Exact two-sided p-value by enumerating sign assignments of the (mid-)ranks; 1 when n = 0. */
  p: number;
}

/**
 * Wilcoxon signed-rank test on b − a, exact: zeros dropped, tied |d| get mid-ranks, and the null
 * distribution is enumerated over all 2^n sign flips (fine for the handful of seeds we run; n ≤ 20).
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonTest {
  if (a.length !== b.length) throw new RangeError(`Wilcoxon test needs equal lengths, got ${a.length} and ${b.length}`);
  const d = a.map((x, i) => b[i] - x).filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { n, wPlus: 0, wMinus: 0, p: 1 };
  if (n > 20) throw new RangeError(`exact Wilcoxon enumeration is limited to 20 differences, got ${n}`);
  const order = d.map((x, i) => ({ abs: Math.abs(x), i })).sort((p, q) => p.abs - q.abs);
  const ranks = new Array<number>(n);
  for (let s = 0; s < n; ) {
    let e = s;
    while (e + 1 < n && order[e + 1].abs === order[s].abs) e++;
    for (let k = s; k <= e; k++) ranks[order[k].i] = (s + e) / 2 + 1;
    s = e + 1;
  }
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (d[i] > 0) wPlus += ranks[i];
  const total = (n * (n + 1)) / 2;
  const wMinus = total - wPlus;
  // Two-sided: share of sign assignments whose statistic is at least as far from the centre.
  const observed = Math.abs(wPlus - total / 2);
  let extreme = 0;
  const combos = 2 ** n;
  for (let mask = 0; mask < combos; mask++) {
    let w = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) w += ranks[i];
    if (Math.abs(w - total / 2) >= observed - 1e-9) extreme++;
  }
  return { n, wPlus, wMinus, p: extreme / combos };
}

/** The t value with P(T ≤ t) = q (bisection on the CDF; enough for reporting thresholds). */
export function studentTQuantile(q: number, df: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile needs q in (0, 1), got ${q}`);
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
