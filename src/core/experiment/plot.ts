// SVG charts of experiment results: one metric per chart, categories on x (arms or sweep values),
// mean with ± std error bars, every seed as a dot, and the DPO baseline as a dashed line with its band.

export interface ChartPoint {
  mean: number;
  std: number;
  /** Per-seed values, drawn as small dots so the spread is visible, not only summarised. */
  values: number[];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** One label per x position. */
  categories: string[];
  /** `bar`: one bar per category (arms). `line`: points joined by a line (a sweep). */
  kind: 'bar' | 'line';
  /** One point per category. */
  points: ChartPoint[];
  /** Name of the plotted series in the legend. */
  seriesLabel: string;
  baseline?: { label: string; mean: number; std: number };
  /** A fixed reference value drawn as a dotted grey line (e.g. chance accuracy 0.5). */
  guide?: { label: string; value: number };
}

const WIDTH = 640;
const HEIGHT = 420;
const MARGIN = { left: 78, right: 24, top: 48, bottom: 92 };
const SERIES_COLOUR = '#1f6feb';
const BASELINE_COLOUR = '#cf222e';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round a step to 1, 2 or 5 × 10^k so tick labels stay readable. */
function niceStep(span: number, targetTicks: number): number {
  const raw = span / Math.max(1, targetTicks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** The y range and ticks covering every drawn value (means ± std, seed dots, the baseline band). */
export function yAxis(values: number[]): { min: number; max: number; ticks: number[] } {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi - lo < 1e-9) {
    const pad = Math.abs(hi) > 1e-9 ? Math.abs(hi) * 0.1 : 0.5;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, 5);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { min, max, ticks };
}

/** Steps are 1, 2 or 5 × 10^k, so −k decimals show every tick exactly. */
function formatTick(v: number, step: number): string {
  return v.toFixed(Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))));
}

/** A complete standalone SVG document for one chart. */
export function renderChartSvg(spec: ChartSpec): string {
  if (spec.points.length !== spec.categories.length) {
    throw new RangeError(`chart "${spec.title}": ${spec.points.length} points for ${spec.categories.length} categories`);
  }
  const all: number[] = [];
  for (const p of spec.points) {
    all.push(p.mean, ...p.values);
    if (Number.isFinite(p.std)) all.push(p.mean - p.std, p.mean + p.std);
  }
  if (spec.baseline) {
    const b = spec.baseline;
    all.push(b.mean);
    if (Number.isFinite(b.std)) all.push(b.mean - b.std, b.mean + b.std);
  }
  if (spec.kind === 'bar') all.push(0);
  if (spec.guide) all.push(spec.guide.value);
  const axis = yAxis(all);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (v: number): number => MARGIN.top + plotH * (1 - (v - axis.min) / (axis.max - axis.min));
  const slot = plotW / spec.categories.length;
  const x = (i: number): number => MARGIN.left + slot * (i + 0.5);
  const tickStep = axis.ticks.length > 1 ? axis.ticks[1] - axis.ticks[0] : 1;
  const f = (v: number): string => v.toFixed(2);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`);

  // Grid and y ticks.
  for (const t of axis.ticks) {
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="#d0d7de" stroke-width="1"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${f(y(t) + 4)}" text-anchor="end">${formatTick(t, tickStep)}</text>`);
  }
  // Axes.
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#24292f"/>`);
  out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#24292f"/>`);
  out.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(spec.yLabel)}</text>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 44}" text-anchor="middle" font-size="13">${escapeXml(spec.xLabel)}</text>`);
  spec.categories.forEach((c, i) => {
    out.push(`<text x="${f(x(i))}" y="${MARGIN.top + plotH + 20}" text-anchor="middle">${escapeXml(c)}</text>`);
  });

  // Baseline: dashed mean line over a light ± std band.
  if (spec.baseline) {
    const b = spec.baseline;
    if (Number.isFinite(b.std) && b.std > 0) {
      out.push(`<rect x="${MARGIN.left}" y="${f(y(b.mean + b.std))}" width="${plotW}" height="${f(y(b.mean - b.std) - y(b.mean + b.std))}" fill="${BASELINE_COLOUR}" fill-opacity="0.08"/>`);
    }
    out.push(`<line class="baseline" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${f(y(b.mean))}" y2="${f(y(b.mean))}" stroke="${BASELINE_COLOUR}" stroke-width="2" stroke-dasharray="8 5"/>`);
  }

  if (spec.guide) {
    const gy = f(y(spec.guide.value));
    out.push(`<line class="guide" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${gy}" y2="${gy}" stroke="#6e7781" stroke-width="1.5" stroke-dasharray="2 4"/>`);
    out.push(`<text x="${WIDTH - MARGIN.right - 4}" y="${f(y(spec.guide.value) - 5)}" text-anchor="end" fill="#57606a">${escapeXml(spec.guide.label)}</text>`);
  }

  // Series.
  if (spec.kind === 'bar') {
    const barW = Math.min(90, slot * 0.5);
    // Bars start at zero (the axis always includes it for bars), so their lengths are comparable.
    const y0 = y(0);
    spec.points.forEach((p, i) => {
      const yv = y(p.mean);
      out.push(`<rect class="bar" x="${f(x(i) - barW / 2)}" y="${f(Math.min(y0, yv))}" width="${f(barW)}" height="${f(Math.abs(y0 - yv))}" fill="${SERIES_COLOUR}" fill-opacity="0.75"/>`);
    });
  } else {
    const path = spec.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(i))},${f(y(p.mean))}`).join(' ');
    out.push(`<path class="series" d="${path}" fill="none" stroke="${SERIES_COLOUR}" stroke-width="2"/>`);
  }
  spec.points.forEach((p, i) => {
    if (Number.isFinite(p.std) && p.std > 0) {
      const y1 = f(y(p.mean - p.std));
      const y2 = f(y(p.mean + p.std));
      out.push(`<g class="errorbar" stroke="#24292f" stroke-width="1.5"><line x1="${f(x(i))}" x2="${f(x(i))}" y1="${y1}" y2="${y2}"/><line x1="${f(x(i) - 7)}" x2="${f(x(i) + 7)}" y1="${y1}" y2="${y1}"/><line x1="${f(x(i) - 7)}" x2="${f(x(i) + 7)}" y1="${y2}" y2="${y2}"/></g>`);
    }
    if (spec.kind === 'line') out.push(`<circle cx="${f(x(i))}" cy="${f(y(p.mean))}" r="4.5" fill="${SERIES_COLOUR}"/>`);
    p.values.forEach((v, k) => {
      // Spread the seed dots a little sideways so equal values stay visible.
      const dx = (k - (p.values.length - 1) / 2) * 6 + 16;
      out.push(`<circle class="seed" cx="${f(x(i) + dx)}" cy="${f(y(v))}" r="2.5" fill="#57606a"/>`);
    });
  });

  // Legend.
  const ly = HEIGHT - 22;
  let lx = MARGIN.left;
  out.push(`<rect x="${lx}" y="${ly - 9}" width="16" height="10" fill="${SERIES_COLOUR}" fill-opacity="0.75"/>`);
  out.push(`<text x="${lx + 22}" y="${ly}">${escapeXml(spec.seriesLabel)} (mean ± std over seeds)</text>`);
  lx += 300;
  out.push(`<circle cx="${lx + 5}" cy="${ly - 4}" r="2.5" fill="#57606a"/><text x="${lx + 14}" y="${ly}">one seed</text>`);
  if (spec.baseline) {
    lx += 90;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${BASELINE_COLOUR}" stroke-width="2" stroke-dasharray="8 5"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}">${escapeXml(spec.baseline.label)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
