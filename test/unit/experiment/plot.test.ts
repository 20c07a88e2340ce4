// Experiment charts: the SVG holds the axes, error bars, seed dots and dashed baseline, and it
// rasterises to a real PNG through headless Chromium.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderChartSvg, yAxis } from '../../../src/core/experiment/plot';
import { findChromium, rasteriseSvgs } from '../../../src/core/experiment/rasterise';

const SWEEP = {
  title: 'Held-out reward accuracy vs γ',
  xLabel: 'γ (spo_gamma)',
  yLabel: 'reward accuracy',
  categories: ['0.01', '0.1', '0.5', '1'],
  kind: 'line' as const,
  seriesLabel: 'DPO+SPO',
  points: [
    { mean: 0.55, std: 0.02, values: [0.53, 0.55, 0.57] },
    { mean: 0.56, std: 0.01, values: [0.55, 0.56, 0.57] },
    { mean: 0.52, std: 0.03, values: [0.49, 0.52, 0.55] },
    { mean: 0.5, std: 0, values: [0.5, 0.5, 0.5] },
  ],
  baseline: { label: 'DPO (γ = 0)', mean: 0.54, std: 0.02 },
  guide: { label: 'chance', value: 0.45 },
};

test('y axis covers every value with round ticks', () => {
  const a = yAxis([0.487, 0.612]);
  assert.ok(a.min <= 0.487 && a.max >= 0.612);
  assert.deepEqual(a.ticks, [0.45, 0.5, 0.55, 0.6, 0.65]);
  const flat = yAxis([0.5, 0.5]);
  assert.ok(flat.min < 0.5 && flat.max > 0.5);
});

test('line chart SVG: labels, one error bar per point with std > 0, seed dots, dashed baseline', () => {
  const svg = renderChartSvg(SWEEP);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, />Held-out reward accuracy vs γ</);
  assert.match(svg, />γ \(spo_gamma\)</);
  assert.match(svg, />reward accuracy</);
  for (const c of SWEEP.categories) assert.ok(svg.includes(`>${c}</text>`), `category ${c}`);
  assert.equal((svg.match(/class="errorbar"/g) ?? []).length, 3); // the std = 0 point has none
  assert.equal((svg.match(/class="seed"/g) ?? []).length, 12);
  assert.match(svg, /class="baseline"[^>]*stroke-dasharray/);
  assert.match(svg, />DPO \(γ = 0\)</);
  assert.match(svg, /class="series" d="M[\d.]+,[\d.]+ L/);
  assert.match(svg, /class="guide"[^>]*stroke-dasharray="2 4"/);
  assert.match(svg, />chance</);
  // The axis reaches down to the guide: its line lies inside the plot area (y from 48 to 328).
  const gy = Number(/class="guide"[^>]*y1="([\d.]+)"/.exec(svg)![1]);
  assert.ok(gy >= 48 && gy <= 328, `guide at y=${gy}`);
});

test('bar chart SVG: one bar per arm, zero on the axis, special characters escaped', () => {
  const svg = renderChartSvg({
    title: 'margin <β>', xLabel: 'arm', yLabel: 'margin', kind: 'bar', seriesLabel: 'arm',
    categories: ['DPO', 'DPO+SPO & co'],
    points: [{ mean: 0.02, std: 0.01, values: [0.01, 0.03] }, { mean: -0.01, std: 0.02, values: [0.01, -0.03] }],
  });
  assert.equal((svg.match(/class="bar"/g) ?? []).length, 2);
  assert.match(svg, />0\.00</); // zero is a tick
  assert.match(svg, /margin &lt;β&gt;/);
  assert.match(svg, /DPO\+SPO &amp; co/);
  assert.throws(() => renderChartSvg({ ...SWEEP, categories: ['a'] }), /4 points for 1 categories/);
});

test('rasterises to PNG with headless Chromium (or says why not)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-plot-'));
  try {
    const pngPath = path.join(dir, 'sweep.png');
    const result = await rasteriseSvgs([{ svg: renderChartSvg(SWEEP), pngPath }]);
    if (findChromium() === null) {
      assert.match(result.skipped ?? '', /no Chromium/);
      return;
    }
    assert.equal(result.skipped, null);
    assert.deepEqual(result.written, [pngPath]);
    const png = fs.readFileSync(pngPath);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR width/height: the 640 × 420 chart at device scale 2.
    assert.equal(png.readUInt32BE(16), 1280);
    assert.equal(png.readUInt32BE(20), 840);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
