// The experiment statistics against known values (reference values from scipy.stats / scipy.special).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  logGamma, mean, pairedTTest, regularizedIncompleteBeta, sampleStd, signTest, studentTCdf,
  studentTQuantile, studentTTwoSidedP, wilcoxonSignedRank,
} from '../../../src/core/experiment/stats';

const close = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected}, got ${actual}`);

test('logGamma matches factorials and Γ(1/2) = √π', () => {
  close(logGamma(1), 0, 1e-12, 'lnΓ(1)');
  close(logGamma(5), Math.log(24), 1e-12, 'lnΓ(5)');
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12, 'lnΓ(1/2)');
  close(logGamma(20.5), 40.8315009745308, 1e-10, 'lnΓ(20.5)');
});

test('regularized incomplete beta matches scipy.special.betainc', () => {
  close(regularizedIncompleteBeta(0.4, 2, 3), 0.5248, 1e-12, 'I_0.4(2,3)');
  close(regularizedIncompleteBeta(0.3, 0.5, 0.5), 0.36901011956554536, 1e-10, 'I_0.3(½,½)');
  close(regularizedIncompleteBeta(0.9, 5, 2), 0.885735, 1e-12, 'I_0.9(5,2)');
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
  // Symmetry I_x(a,b) = 1 − I_{1−x}(b,a) holds on both branches of the continued fraction.
  close(regularizedIncompleteBeta(0.2, 3.5, 1.5) + regularizedIncompleteBeta(0.8, 1.5, 3.5), 1, 1e-12, 'symmetry');
  assert.throws(() => regularizedIncompleteBeta(1.5, 1, 1), /x in \[0, 1\]/);
  assert.throws(() => regularizedIncompleteBeta(0.5, 0, 1), /a, b > 0/);
});

test('Student t: t = 2.0, df = 4 gives two-sided p ≈ 0.1161; CDF and quantile agree with scipy', () => {
  close(studentTTwoSidedP(2.0, 4), 0.11611652351681556, 1e-10, 'p(t=2, df=4)');
  close(studentTTwoSidedP(-2.0, 4), 0.11611652351681556, 1e-10, 'p(t=-2, df=4)');
  close(studentTCdf(-1.5, 10), 0.08225366322272007, 1e-10, 'CDF(-1.5, 10)');
  close(studentTCdf(0.7, 1), 0.6944001122142147, 1e-10, 'CDF(0.7, 1) (Cauchy)');
  assert.equal(studentTCdf(0, 7), 0.5);
  close(studentTQuantile(0.975, 2), 4.302652729749462, 1e-8, 't_0.975(2)');
  close(studentTCdf(studentTQuantile(0.9, 5), 5), 0.9, 1e-10, 'CDF(quantile)');
});

test('mean and sample std', () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  close(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]), 2.138089935299395, 1e-12, 'std');
  assert.ok(Number.isNaN(sampleStd([1])));
  assert.ok(Number.isNaN(mean([])));
});

test('paired t-test matches scipy.stats.ttest_rel', () => {
  const r = pairedTTest([0.53, 0.56, 0.54, 0.57], [0.5, 0.52, 0.55, 0.51]);
  close(r.t, -2.038098661460273, 1e-10, 't');
  close(r.p, 0.13429219383704238, 1e-10, 'p');
  assert.equal(r.df, 3);
  close(r.meanDiff, -0.03, 1e-12, 'mean difference (b − a)');
});

test('paired t-test degenerate cases: identical arms, constant shift, one seed', () => {
  assert.deepEqual(pairedTTest([1, 2, 3], [1, 2, 3]).p, 1);
  const shift = pairedTTest([1, 2, 3], [2, 3, 4]);
  assert.equal(shift.t, Infinity);
  assert.equal(shift.p, 0);
  assert.ok(Number.isNaN(pairedTTest([1], [2]).p));
  assert.throws(() => pairedTTest([1, 2], [1]), /equal lengths/);
});

test('sign test counts and exact binomial p', () => {
  const r = signTest([0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, -1, 0]);
  assert.deepEqual({ positive: r.positive, negative: r.negative, ties: r.ties }, { positive: 5, negative: 1, ties: 1 });
  close(r.p, 0.21875, 1e-12, 'binomtest(1, 6)');
  assert.equal(signTest([1, 2], [1, 2]).p, 1);
});

test('Wilcoxon signed-rank exact p matches scipy (n = 5)', () => {
  const diffs = [0.03, 0.04, -0.01, 0.06, 0.02];
  const r = wilcoxonSignedRank(diffs.map(() => 0), diffs);
  assert.equal(r.n, 5);
  assert.equal(r.wMinus, 1);
  assert.equal(r.wPlus, 14);
  close(r.p, 0.125, 1e-12, 'p');
  // Three seeds all in one direction: the smallest p an exact test can give is 2/8.
  close(wilcoxonSignedRank([0, 0, 0], [1, 2, 3]).p, 0.25, 1e-12, 'n = 3');
});
