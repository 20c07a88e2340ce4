// Degree views in the browser: one example (data / model / SPO degrees) or a whole dataset
// (histograms of the data degree and model margin, and a hardest-first table whose rows reveal their line).
import type { DatasetDegreeView, DegreesCommand, DegreesNotification, ExampleDegreeView } from '../../src/core/protocol';
import { formatDegree } from '../../src/core/protocol/degrees';
import { histogram, histogramSvg } from './histogram';

interface VsCodeApi {
  postMessage(message: DegreesCommand): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

/** Rows drawn in the table at most: the hardest ones matter; the histogram covers all. */
const TABLE_LIMIT = 500;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function meter(value: number, min: number, max: number): HTMLElement {
  const bar = el('span', 'meter');
  const fill = el('span', value >= 0 ? 'fill pos' : 'fill neg');
  const zero = ((0 - min) / (max - min)) * 100;
  const at = ((Math.max(min, Math.min(max, value)) - min) / (max - min)) * 100;
  fill.style.left = `${Math.min(zero, at)}%`;
  fill.style.width = `${Math.abs(at - zero)}%`;
  bar.append(fill);
  return bar;
}

function distribution(label: string, head: string, probs: number[], expected: number): HTMLElement {
  const box = el('div', 'dist');
  box.title = `${head} head on the intact ${label} response`;
  box.append(el('div', 'dist-title', `${label} · E[c] = ${expected.toFixed(2)}`));
  const bars = el('div', 'dist-bars');
  probs.forEach((p, c) => {
    const col = el('div', 'dist-col');
    const bar = el('div', 'dist-bar');
    bar.style.height = `${Math.round(p * 100)}%`;
    bar.title = `class ${c}: ${(p * 100).toFixed(1)}%`;
    col.append(el('div', 'dist-p', p.toFixed(2)), bar, el('div', 'dist-c', String(c)));
    bars.append(col);
  });
  box.append(bars);
  return box;
}

function renderExample(root: HTMLElement, v: ExampleDegreeView): void {
  const head = el('header');
  head.append(el('h2', undefined, `Line ${v.line}`), el('span', 'muted', v.file));
  const cards = el('div', 'cards');
  const data = el('section', 'card');
  data.append(el('h3', undefined, 'Data degree'));
  if (v.data) {
    const row = el('div', 'big');
    row.append(el('strong', undefined, formatDegree(v.data.degree)), meter(v.data.degree, -1, 1));
    data.append(row, el('p', 'muted', '(u_w − u_l) / max(1, u_w + u_l): key content only the chosen response has, minus the reverse.'));
    const lists = el('div', 'keys');
    const list = (title: string, items: string[], cls: string) => {
      const box = el('div');
      box.append(el('div', 'caption', `${title} (${items.length})`));
      const ul = el('ul', cls);
      for (const k of items) ul.append(el('li', undefined, k));
      box.append(ul);
      return box;
    };
    lists.append(list('Only in chosen', v.data.chosenOnly, 'chosen'), list('Only in rejected', v.data.rejectedOnly, 'rejected'));
    data.append(lists);
  } else {
    data.append(el('p', 'problem', v.dataProblem ?? 'No preference record here.'));
  }
  const model = el('section', 'card');
  model.append(el('h3', undefined, 'Model degree'));
  if (v.model) {
    const row = el('div', 'big');
    row.append(el('strong', undefined, formatDegree(v.model.margin)), meter(v.model.margin, -Math.max(1, Math.abs(v.model.margin)), Math.max(1, Math.abs(v.model.margin))));
    model.append(row, el('p', undefined, `σ(margin) = P(chosen ≻ rejected) = ${v.model.prob.toFixed(3)}`));
  }
  model.append(el('p', 'muted', v.runNote));
  cards.append(data, model);
  if (v.spo) {
    const spo = el('section', 'card');
    spo.append(el('h3', undefined, 'SPO degree'), el('p', 'muted', 'Class distribution of each head on the intact response (0 = intact … K−1 = all key content removed).'));
    const dists = el('div', 'dists');
    dists.append(distribution('chosen', 'pref', v.spo.pref, v.spo.prefExpected), distribution('rejected', 'dispref', v.spo.dispref, v.spo.disprefExpected));
    spo.append(dists);
    cards.append(spo);
  }
  const texts = el('section', 'texts');
  for (const [label, text, cls] of [['Prompt (end)', v.promptPreview, ''], ['Chosen', v.chosenPreview, 'chosen'], ['Rejected', v.rejectedPreview, 'rejected']]) {
    if (!text) continue;
    const block = el('div', `text ${cls}`);
    block.append(el('div', 'caption', label), el('p', undefined, text));
    texts.append(block);
  }
  root.replaceChildren(head, cards, texts);
  vscode.postMessage({ type: 'rendered', mode: 'example', rows: v.data ? 1 : 0, histogramBins: 0, hasModel: v.model !== null });
}

function renderDataset(root: HTMLElement, v: DatasetDegreeView): void {
  const head = el('header');
  head.append(el('h2', undefined, `${v.rows.length} pairs`), el('span', 'muted', `${v.file}${v.skipped ? ` · ${v.skipped} unreadable records skipped` : ''}`));
  const note = el('p', 'muted', v.runNote);
  const charts = el('div', 'charts');
  const dataValues = v.rows.map((r) => r.data).filter((x): x is number => x !== null);
  const dataHist = histogram(dataValues, 20, -1, 1);
  const dataBox = el('section', 'card');
  dataBox.append(el('h3', undefined, 'Data degree'));
  dataBox.append(histogramSvg(dataHist, 'var(--vscode-charts-blue)'));
  charts.append(dataBox);
  let bins = dataHist.counts.length;
  const margins = v.rows.map((r) => r.margin).filter((x): x is number => x !== null);
  if (margins.length) {
    const bound = Math.max(1e-6, ...margins.map(Math.abs));
    const marginHist = histogram(margins, 20, -bound, bound);
    const box = el('section', 'card');
    box.append(el('h3', undefined, 'Model margin'), histogramSvg(marginHist, 'var(--vscode-charts-purple)'));
    charts.append(box);
    bins += marginHist.counts.length;
  }
  const table = el('table');
  const thead = el('thead');
  const hr = el('tr');
  for (const h of ['Line', 'Data degree', ...(margins.length ? ['Margin', 'σ(margin)'] : []), 'Prompt']) hr.append(el('th', undefined, h));
  thead.append(hr);
  const tbody = el('tbody');
  for (const r of v.rows.slice(0, TABLE_LIMIT)) {
    const tr = el('tr');
    tr.tabIndex = 0;
    tr.title = `Reveal line ${r.line}`;
    tr.append(el('td', 'num', String(r.line)), el('td', 'num', r.data === null ? '–' : formatDegree(r.data)));
    if (margins.length) tr.append(el('td', 'num', r.margin === null ? '–' : formatDegree(r.margin)), el('td', 'num', r.prob === null ? '–' : r.prob.toFixed(3)));
    tr.append(el('td', 'preview', r.preview));
    const reveal = () => vscode.postMessage({ type: 'reveal', line: r.line });
    tr.addEventListener('click', reveal);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') reveal(); });
    tbody.append(tr);
  }
  table.append(thead, tbody);
  const caption = el('h3', undefined, `Hardest first${margins.length ? ' (lowest model margin)' : ' (lowest data degree)'}${v.rows.length > TABLE_LIMIT ? ` · first ${TABLE_LIMIT}` : ''}`);
  root.replaceChildren(head, note, charts, caption, table);
  vscode.postMessage({ type: 'rendered', mode: 'dataset', rows: Math.min(TABLE_LIMIT, v.rows.length), histogramBins: bins, hasModel: margins.length > 0 });
}

const root = document.getElementById('app') as HTMLElement;
window.addEventListener('message', (event: MessageEvent<DegreesNotification>) => {
  const m = event.data;
  if (m.type === 'example') renderExample(root, m.view);
  else if (m.type === 'dataset') renderDataset(root, m.view);
});
vscode.postMessage({ type: 'ready' });
