// summary.md of an experiment: the per-arm table (mean ± std over seeds), the paired tests against
// DPO, and a plain-language conclusion derived from those numbers only (never more than they say).
import { BASELINE_ARM, armSimilarity, dataDegreeDiagnostic, lengthDiagnostic, verdict } from './analysis';
import { studentTQuantile } from './stats';
import { ArmSummary, Comparison, ExperimentResults, MetricName, TAIL_STEPS } from './types';

const METRIC_LABEL: Record<MetricName, string> = {
  eval_reward_accuracy: 'held-out reward accuracy',
  eval_mean_margin: 'held-out mean reward margin',
};

/** Fixed decimals, with "n/a" for NaN so a one-seed run still renders. */
export function fmt(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'n/a';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  return x.toFixed(digits);
}

export function fmtSigned(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'n/a';
  // A difference that rounds to zero prints as 0.000, not "-0.000" or "+0.000".
  if (Math.abs(x) < 0.5 * 10 ** -digits) return fmt(0, digits);
  return (x > 0 ? '+' : '') + fmt(x, digits);
}

export function fmtP(p: number): string {
  if (Number.isNaN(p)) return 'n/a';
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

function meanStd(s: ArmSummary, m: MetricName, digits = 3): string {
  return s.n > 1 ? `${fmt(s.mean[m], digits)} ± ${fmt(s.std[m], digits)}` : fmt(s.mean[m], digits);
}

function armLabel(s: { arm: string }): string {
  return s.arm === BASELINE_ARM ? 'DPO (γ = 0)' : s.arm.replace(/^dpo\+spo/, 'DPO+SPO');
}

/** The smallest mean paired difference that would reach p < alpha with this spread and n. */
export function detectableDifference(c: Comparison, alpha = 0.05): number {
  const { n, stdDiff } = c.tTest;
  if (n < 2 || !Number.isFinite(stdDiff)) return NaN;
  return studentTQuantile(1 - alpha / 2, n - 1) * (stdDiff / Math.sqrt(n));
}

/** One sentence per comparison, saying what the test says and no more. */
export function conclusionSentence(c: Comparison, alpha = 0.05): string {
  const label = METRIC_LABEL[c.metric];
  const unit = c.metric === 'eval_reward_accuracy' ? ' (share of pairs)' : '';
  const { meanDiff, p, n } = c.tTest;
  const ahead = `${armLabel(c)} was ahead on ${c.sign.positive} of ${c.seeds.length} seeds, behind on ${c.sign.negative}` +
    (c.sign.ties ? `, tied on ${c.sign.ties}` : '');
  switch (verdict(c, alpha)) {
    case 'too-few-seeds':
      return `${label}: ${armLabel(c)} − DPO = ${fmtSigned(meanDiff)}${unit} on ${n} seed(s); too few seeds for a test. ${ahead}.`;
    case 'better':
      return `${label}: ${armLabel(c)} is significantly higher than DPO (mean paired difference ${fmtSigned(meanDiff)}${unit}, paired t-test p = ${fmtP(p)}, ${n} seeds). ${ahead}.`;
    case 'worse':
      return `${label}: ${armLabel(c)} is significantly lower than DPO (mean paired difference ${fmtSigned(meanDiff)}${unit}, paired t-test p = ${fmtP(p)}, ${n} seeds). ${ahead}.`;
    default: {
      const need = detectableDifference(c, alpha);
      return `${label}: no significant difference between ${armLabel(c)} and DPO (mean paired difference ${fmtSigned(meanDiff)}${unit}, paired t-test p = ${fmtP(p)}, ${n} seeds). ${ahead}. ` +
        `With this seed-to-seed spread, a mean difference of about ±${fmt(need)} would have been needed for p < ${alpha}.`;
    }
  }
}

function comparisonTable(comparisons: readonly Comparison[]): string[] {
  const lines = [
    '| arm vs DPO | metric | per-seed difference (arm − DPO) | mean diff | t (df) | p (paired t) | sign +/−/0 (p) | Wilcoxon p |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of comparisons) {
    lines.push(
      `| ${armLabel(c)} | ${METRIC_LABEL[c.metric]} | ${c.differences.map((d) => fmtSigned(d)).join(', ')} | ${fmtSigned(c.tTest.meanDiff)} | ` +
        `${fmt(c.tTest.t, 2)} (${c.tTest.df}) | ${fmtP(c.tTest.p)} | ${c.sign.positive}/${c.sign.negative}/${c.sign.ties} (${fmtP(c.sign.p)}) | ${fmtP(c.wilcoxon.p)} |`,
    );
  }
  return lines;
}

function overallConclusion(r: ExperimentResults, alpha: number): string[] {
  const acc = r.comparisons.filter((c) => c.metric === 'eval_reward_accuracy');
  const verdicts = acc.map((c) => verdict(c, alpha));
  const better = acc.filter((_, i) => verdicts[i] === 'better');
  const worse = acc.filter((_, i) => verdicts[i] === 'worse');
  const lines: string[] = [];
  if (acc.length === 0) return ['No SPO arm was compared with DPO.'];
  if (verdicts.every((v) => v === 'too-few-seeds')) {
    lines.push('**Too few seeds for a paired test**: read the numbers above as single observations, not evidence.');
  } else if (better.length === 0 && worse.length === 0) {
    lines.push(`**No significant difference.** At this budget, adding SPO to DPO did not change held-out reward accuracy measurably ` +
      `(paired t-test, α = ${alpha}, ${acc[0].tTest.n} seeds${acc.length > 1 ? `, ${acc.length} settings tested` : ''}). ` +
      'This is not evidence that SPO has no effect: with few seeds only large effects are detectable.');
  } else {
    if (better.length) lines.push(`**SPO helped** (p < ${alpha}) for: ${better.map(armLabel).join(', ')}.`);
    if (worse.length) lines.push(`**SPO hurt** (p < ${alpha}) for: ${worse.map(armLabel).join(', ')}.`);
    if (acc.length > 1) {
      lines.push(`Note: ${acc.length} settings were each tested against DPO; with a Bonferroni correction the threshold is p < ${fmt(alpha / acc.length, 4)}, ` +
        `which ${acc.some((c) => c.tTest.p < alpha / acc.length) ? 'some comparisons still pass' : 'none of them passes'}.`);
    }
  }
  const n = r.split.heldOut.length;
  lines.push(`Held-out accuracy is measured on ${n} pairs, so one pair moves it by ${fmt(1 / n, 4)}; ` +
    `the binomial standard error of an accuracy near 0.5 on ${n} pairs is about ${fmt(Math.sqrt(0.25 / n))}.`);
  return lines;
}

function diagnostics(r: ExperimentResults): string[] {
  const cov = r.keyCoverage;
  const lines = [
    '## Diagnostics: how much of the data the SPO loss can use',
    '',
    `RAKE key spans on the ${cov.responses} training pairs (maxKeys = ${cov.maxKeys}): ` +
      `mean ${fmt(cov.meanKeysChosen, 2)} spans per chosen response, ${fmt(cov.meanKeysRejected, 2)} per rejected; ` +
      `${fmt(100 * cov.noKeysChosen, 1)}% of chosen and ${fmt(100 * cov.noKeysRejected, 1)}% of rejected responses have none. ` +
      `Mean length: ${fmt(cov.meanCharsChosen, 0)} characters (chosen), ${fmt(cov.meanCharsRejected, 0)} (rejected).`,
    '',
    'A response takes part in the SPO loss only when it has ≥ K − 1 key spans (spo-method.md §2):',
    '',
    '| K (classes) | chosen with ≥ K−1 spans | rejected with ≥ K−1 spans | pairs with both |',
    '|---|---|---|---|',
    ...cov.rows.map((row) => `| ${row.classes} | ${fmt(100 * row.chosen, 1)}% | ${fmt(100 * row.rejected, 1)}% | ${fmt(100 * row.both, 1)}% |`),
    '',
  ];
  const len = lengthDiagnostic(r.heldOutLengths, r.arms, r.runs);
  lines.push(
    `Length: the rule "the shorter response is the chosen one" scores ${fmt(len.shorterIsChosen)} on the held-out pairs. ` +
      'Share of held-out pairs (length ties left out) where a run\'s margin sign agrees with that rule, mean over seeds: ' +
      len.agreement.map((a) => `${armLabel(a)} ${fmt(a.agreement)}`).join(', ') +
      '. Agreement near 1 means the implicit reward mostly learned response length.',
    '',
  );
  const similar = armSimilarity(r.runs);
  if (similar.length) {
    lines.push(
      'How different the SPO runs are from the DPO run of the same seed, pair by pair on the held-out set ' +
        '(same sign: both runs prefer the same response; correlation of the two runs\' margins):',
      '',
      '| arm | seed | same sign | margin correlation |',
      '|---|---|---|---|',
      ...similar.map((x) => `| ${armLabel(x)} | ${x.seed} | ${fmt(x.sameSign)} | ${fmt(x.correlation)} |`),
      '',
    );
  }
  if (r.heldOutDataDegrees?.length) {
    const deg = dataDegreeDiagnostic(r.heldOutDataDegrees, r.arms, r.runs);
    const count = (bin: string) => deg[0]?.bins.find((b) => b.bin === bin)?.pairs ?? 0;
    lines.push(
      'Key content and preference, per held-out pair: the data degree (how one-sided the key content is: +1 when all of it ' +
        'is the chosen response\'s own, −1 when all is the rejected\'s; spo-method.md §6) against the learned margin. ' +
        `Held-out pairs with negative / zero / positive data degree: ${count('negative')} / ${count('zero')} / ${count('positive')}.`,
      '',
      '| arm | Spearman ρ (data degree, margin), mean over seeds | per seed | accuracy, data degree < 0 | = 0 | > 0 |',
      '|---|---|---|---|---|---|',
      ...deg.map((d) => `| ${armLabel(d)} | ${fmt(d.spearman)} | ${d.perSeed.map((x) => fmt(x)).join(', ')} | ` +
        d.bins.map((b) => (b.pairs ? fmt(b.accuracy) : '–')).join(' | ') + ' |'),
      '',
    );
  }
  const spoArms = r.arms.filter((a) => a.gamma > 0);
  if (spoArms.length) {
    lines.push(
      `What the runs logged during training (mean over seeds of each metric averaged over the last ${TAIL_STEPS} logged steps; ` +
        'a head at chance has accuracy 1/K and loss ln K):',
      '',
      '| arm | K | γ | spo/coverage (all steps) | spo/acc_pref | spo/acc_dispref | 1/K | loss/spo_pref | loss/spo_dispref | ln K | loss/align | train rewards/accuracies |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const arm of r.arms) {
      const rs = r.runs.filter((run) => run.arm === arm.name);
      const avg = (get: (run: (typeof rs)[number]) => number | null | undefined): string => {
        const xs = rs.map(get).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
        return xs.length ? fmt(xs.reduce((a, b) => a + b, 0) / xs.length) : '–';
      };
      const tail = (k: string) => avg((x) => (x.metrics.tail_train ?? x.metrics.final_train)[k]);
      const spo = arm.gamma > 0;
      lines.push(`| ${armLabel({ arm: arm.name })} | ${spo ? arm.classes : '–'} | ${arm.gamma} | ${avg((x) => x.metrics.mean_spo_coverage)} | ` +
        `${tail('spo/acc_pref')} | ${tail('spo/acc_dispref')} | ${spo ? fmt(1 / arm.classes) : '–'} | ` +
        `${tail('loss/spo_pref')} | ${tail('loss/spo_dispref')} | ${spo ? fmt(Math.log(arm.classes)) : '–'} | ${tail('loss/align')} | ${tail('rewards/accuracies')} |`);
    }
    lines.push('');
  }
  return lines;
}

/** Trainer keys set for the experiment beyond the budget line (model size and the like), as `key=value`. */
function otherSettings(r: ExperimentResults): string {
  const shown = new Set(['max_steps', 'per_device_train_batch_size', 'learning_rate', 'tiny_sft_steps', 'max_length']);
  return Object.entries(r.budget.trainerOverrides)
    .filter(([k]) => !shown.has(k))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}

export interface SummaryOptions {
  /** Significance level of the tests (default 0.05). */
  alpha?: number;
  /** Hand-written markdown (the folder's analysis.md), placed after the diagnostics. */
  analysis?: string | null;
}

export function renderSummary(r: ExperimentResults, options: SummaryOptions = {}): string {
  const alpha = options.alpha ?? 0.05;
  const b = r.budget;
  const title = r.sweep ? `SPO vs DPO: sweep of ${r.sweep.key === 'gamma' ? 'γ (spo_gamma)' : 'K (spo_classes)'}` : 'SPO vs DPO';
  const lines: string[] = [
    `# ${title}`,
    '',
    `Data: \`${r.data.file}\` (${r.data.pairs} pairs used${r.data.issues ? `, ${r.data.issues} bad records skipped` : ''}` +
      `${r.data.promptTooLong?.length ? `, ${r.data.promptTooLong.length} left out because the prompt alone fills max length ${r.budget.maxLength} (TRL drops them)` : ''}; format ${r.data.format}). ` +
      `Split (seed ${r.split.seed}): ${r.split.train.length} train / ${r.split.heldOut.length} held-out pairs, the same for every arm and seed ` +
      '(source lines in results.json).',
    '',
    `Budget, identical for every run: ${b.steps} alignment steps × batch ${b.batchSize}, learning rate ${b.learningRate}, ` +
      `max length ${b.maxLength} tokens, ${b.sftSteps > 0 ? `${b.sftSteps} SFT steps for the reference model` : 'the reference is the starting model'}. Seeds: ${r.seeds.join(', ')}. ` +
      `Backend: ${r.environment.backend}. Total wall time: ${fmt(r.totalSeconds / 60, 1)} min.` +
      (otherSettings(r) ? ` Other trainer settings: ${otherSettings(r)}.` : ''),
    '',
    'Metric: **held-out reward accuracy** = share of held-out pairs whose implicit reward margin ' +
      'β·[(log π − log π_ref)(chosen) − (log π − log π_ref)(rejected)] is > 0; also the mean margin.',
    '',
    '## Results (mean ± std over seeds)',
    '',
    `| arm | K | γ | seeds | ${METRIC_LABEL.eval_reward_accuracy} | ${METRIC_LABEL.eval_mean_margin} |`,
    '|---|---|---|---|---|---|',
  ];
  for (const s of r.summaries) {
    const arm = r.arms.find((a) => a.name === s.arm)!;
    lines.push(`| ${armLabel(s)} | ${arm.gamma > 0 ? arm.classes : '–'} | ${arm.gamma} | ${s.n} | ${meanStd(s, 'eval_reward_accuracy')} | ${meanStd(s, 'eval_mean_margin', 4)} |`);
  }
  lines.push('', '## Paired comparison with DPO (same seeds, same split, same budget)', '', ...comparisonTable(r.comparisons), '');
  lines.push('## Conclusion', '', ...overallConclusion(r, alpha).flatMap((l) => [l, '']));
  for (const c of r.comparisons) lines.push(`- ${conclusionSentence(c, alpha)}`);
  lines.push('');
  if (r.plots.files.length || r.plots.note) {
    lines.push('## Plots', '');
    for (const f of r.plots.files.filter((x) => x.endsWith('.png'))) lines.push(`![${f}](${f})`, '');
    const svgs = r.plots.files.filter((x) => x.endsWith('.svg'));
    if (svgs.length) lines.push(`SVG sources: ${svgs.map((f) => `[${f}](${f})`).join(', ')}.`, '');
    if (r.plots.note) lines.push(`Note: ${r.plots.note}`, '');
  }
  lines.push(...diagnostics(r));
  if (options.analysis?.trim()) lines.push('## Analysis (hand-written: analysis.md)', '', options.analysis.trim(), '');
  const env = r.environment;
  lines.push(
    '## Environment',
    '',
    `${env.date}; Node ${env.node}; ${env.backend.startsWith('torch') ? 'engine' : `TF.js ${env.tfjs} on`} ${env.backend}${env.backendNote ? ` (${env.backendNote})` : ''}; ` +
      `SPO Studio ${env.spoStudio}; ${env.platform}, ${env.cpus} × ${env.cpuModel}.`,
    '',
    `Command: \`${r.command}\``,
    '',
  );
  return lines.join('\n');
}
