// The experiment's plots: which charts an experiment gets (arms side by side, or a sweep against the
// dashed DPO baseline), written as SVG and rasterised to PNG when Chromium is there.
import * as fs from 'fs';
import * as path from 'path';
import { BASELINE_ARM } from './analysis';
import { ChartSpec, renderChartSvg } from './plot';
import { rasteriseSvgs } from './rasterise';
import { ArmSummary, COMPARED_METRICS, MetricName, RunRecord, SweepKey } from './types';

const Y_LABEL: Record<MetricName, string> = {
  eval_reward_accuracy: 'held-out reward accuracy',
  eval_mean_margin: 'held-out mean reward margin',
};
const FILE_STEM: Record<MetricName, string> = { eval_reward_accuracy: 'accuracy', eval_mean_margin: 'margin' };
/** A reward model that knows nothing scores 0.5 accuracy (and margin 0, already on the bar axis). */
const CHANCE: Record<MetricName, { label: string; value: number } | undefined> = {
  eval_reward_accuracy: { label: 'chance', value: 0.5 },
  eval_mean_margin: undefined,
};
const SWEEP_LABEL: Record<SweepKey, string> = { classes: 'K (spo_classes)', gamma: 'γ (spo_gamma)' };

export interface NamedChart {
  /** File name without extension. */
  name: string;
  spec: ChartSpec;
}

function point(summary: ArmSummary, runs: readonly RunRecord[], metric: MetricName) {
  return {
    mean: summary.mean[metric],
    std: summary.std[metric],
    values: runs.filter((r) => r.arm === summary.arm).sort((a, b) => a.seed - b.seed).map((r) => r.metrics[metric]),
  };
}

/** Charts for the main comparison (bars per arm) or a sweep (a line over the swept values). */
export function experimentCharts(summaries: readonly ArmSummary[], runs: readonly RunRecord[], sweep: { key: SweepKey } | null): NamedChart[] {
  const base = summaries.find((s) => s.arm === BASELINE_ARM);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  return COMPARED_METRICS.map((metric) => {
    if (!sweep) {
      return {
        name: FILE_STEM[metric],
        spec: {
          title: `${Y_LABEL[metric]}: DPO vs DPO+SPO (${seeds} seed${seeds === 1 ? '' : 's'})`,
          xLabel: 'arm',
          yLabel: Y_LABEL[metric],
          kind: 'bar',
          seriesLabel: 'arm',
          categories: summaries.map((s) => (s.arm === BASELINE_ARM ? 'DPO (γ = 0)' : s.arm.replace(/^dpo\+spo/, 'DPO+SPO'))),
          points: summaries.map((s) => point(s, runs, metric)),
          guide: CHANCE[metric],
        },
      };
    }
    const swept = summaries.filter((s) => s.arm !== BASELINE_ARM);
    return {
      name: `${FILE_STEM[metric]}-vs-${sweep.key}`,
      spec: {
        title: `${Y_LABEL[metric]} vs ${SWEEP_LABEL[sweep.key]} (${seeds} seed${seeds === 1 ? '' : 's'})`,
        xLabel: SWEEP_LABEL[sweep.key],
        yLabel: Y_LABEL[metric],
        kind: 'line',
        seriesLabel: 'DPO+SPO',
        categories: swept.map((s) => String(s.sweepValue)),
        points: swept.map((s) => point(s, runs, metric)),
        baseline: base ? { label: 'DPO (γ = 0) ± std', mean: base.mean[metric], std: base.std[metric] } : undefined,
        guide: CHANCE[metric],
      },
    };
  });
}

/** Write `<name>.svg` (always) and `<name>.png` (when Chromium runs) into `dir`; file names are relative to it. */
export async function writeCharts(dir: string, charts: readonly NamedChart[]): Promise<{ files: string[]; note: string | null }> {
  const files: string[] = [];
  const items = charts.map((c) => {
    const svg = renderChartSvg(c.spec);
    fs.writeFileSync(path.join(dir, `${c.name}.svg`), svg);
    files.push(`${c.name}.svg`);
    return { svg, pngPath: path.join(dir, `${c.name}.png`) };
  });
  let note: string | null = null;
  try {
    const r = await rasteriseSvgs(items);
    files.push(...r.written.map((p) => path.basename(p)));
    note = r.skipped;
  } catch (err) {
    note = `PNG rendering failed (${(err as Error).message.split('\n')[0]}); SVG only`;
  }
  return { files, note };
}
