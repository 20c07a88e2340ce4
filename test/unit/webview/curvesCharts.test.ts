// The curves webview's chart data: train and eval series come from each row's split (sent by the host),
// so an eval row is drawn as eval whatever else its metric names say.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildChartData } from '../../../webview/curves/charts';
import type { ChartTheme } from '../../../webview/curves/theme';
import type { MetricsRow, MetricsSplit } from '../../../src/core/protocol';

const theme: ChartTheme = { foreground: '#000', muted: '#666', grid: '#ccc', background: '#fff', font: '12px sans-serif', runColors: ['#3794ff', '#d18616'] };
const opts = { smoothing: 0, logScale: false, theme, width: 300 };

describe('curves chart data', () => {
  it('draws rows of the eval split as the eval series and train rows as the train series', () => {
    const rows: MetricsRow[] = [{ step: 1, loss: 0.9 }, { step: 2, loss: 0.8 }, { step: 2, 'eval/loss': 0.85 }, { step: 3, loss: 0.7 }];
    const splits: MetricsSplit[] = ['train', 'train', 'eval', 'train'];
    const built = buildChartData('loss', [{ name: 'a', rows, splits }], opts);
    assert.deepEqual(built.points, { 'a/loss': 3, 'a/eval/loss': 1 });
    assert.deepEqual(built.data[0], [1, 2, 3]);
    assert.deepEqual(built.data[1], [0.9, 0.8, 0.7], 'train series');
    assert.deepEqual(built.data[2], [null, 0.85, null], 'eval series');
  });

  it('a train row is never taken for an eval row by its metric names', () => {
    const built = buildChartData('loss', [{ name: 'b', rows: [{ step: 1, loss: 0.9, 'eval/loss': 0.5 }], splits: ['train'] }], opts);
    assert.deepEqual(built.points, { 'b/loss': 1 });
  });
});
