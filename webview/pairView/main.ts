// Pair View webview: draws one preference pair (prompt, chosen | rejected side by side) with its
// key content highlighted, and reports what it drew back to the host after every render.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type {
  PairViewHostMessage, PairViewKey, PairViewPair, PairViewPersistedState, PairViewRenderedState,
  PairViewResponse, PairViewSource, PairViewWebviewMessage,
} from '../../src/core/protocol/pairView';
import { formatDegree } from '../../src/core/protocol/degrees';

interface VsCodeApi {
  postMessage(message: PairViewWebviewMessage): void;
  getState(): PairViewPersistedState | undefined;
  setState(state: PairViewPersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Keys that do not overlap an earlier-starting one, in text order (RAKE keys never overlap, but be safe). */
function drawableKeys(keys: PairViewKey[]): PairViewKey[] {
  const sorted = [...keys].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PairViewKey[] = [];
  let end = 0;
  for (const key of sorted) {
    if (key.start >= end && key.end > key.start) { out.push(key); end = key.end; }
  }
  return out;
}

function keyTitle(key: PairViewKey, side: 'chosen' | 'rejected'): string {
  const other = side === 'chosen' ? 'rejected' : 'chosen';
  return `“${key.phrase}” · score ${key.score.toFixed(2)} · rank ${key.rank} in ${side}` +
    (key.shared ? ` · also in the ${other} response` : ` · not in the ${other} response`);
}

/** The response text with its key spans wrapped in <mark>; returns the element and the marks drawn. */
function highlightedText(response: PairViewResponse, side: 'chosen' | 'rejected'): { el: HTMLElement; marks: number; shared: number } {
  const el = element('div', 'text');
  let at = 0;
  let marks = 0;
  let shared = 0;
  for (const key of drawableKeys(response.keys)) {
    if (key.start > at) el.append(document.createTextNode(response.text.slice(at, key.start)));
    const mark = element('mark', `key ${side}${key.shared ? ' shared' : ''}`, response.text.slice(key.start, key.end));
    mark.title = keyTitle(key, side);
    mark.dataset.rank = String(key.rank);
    el.append(mark);
    marks++;
    if (key.shared) shared++;
    at = key.end;
  }
  if (at < response.text.length) el.append(document.createTextNode(response.text.slice(at)));
  return { el, marks, shared };
}

/** One entry per distinct phrase, by rank; a phrase the extractor found several times says how often. */
function keyList(response: PairViewResponse, side: 'chosen' | 'rejected'): { list: HTMLElement; phrases: number } {
  const byRank = new Map<number, { key: PairViewKey; count: number }>();
  for (const key of response.keys) {
    const entry = byRank.get(key.rank);
    if (entry) entry.count++;
    else byRank.set(key.rank, { key, count: 1 });
  }
  const list = element('ol', 'keys');
  for (const { key, count } of [...byRank.values()].sort((a, b) => a.key.rank - b.key.rank)) {
    const item = element('li');
    item.value = key.rank;
    item.append(element('span', `key ${side}${key.shared ? ' shared' : ''}`, key.phrase));
    item.append(element('span', 'score', ` ${key.score.toFixed(2)}${count > 1 ? ` · ×${count}` : ''}${key.shared ? ' · shared' : ''}`));
    list.append(item);
  }
  if (byRank.size === 0) list.append(element('li', 'empty', 'no key content found'));
  return { list, phrases: byRank.size };
}

function responseColumn(title: string, response: PairViewResponse, side: 'chosen' | 'rejected') {
  const column = element('section', `response ${side}`);
  column.append(element('h2', undefined, title));
  const drawn = highlightedText(response, side);
  column.append(drawn.el);
  const keys = keyList(response, side);
  column.append(element('h3', undefined, `Key content (${keys.phrases} phrase${keys.phrases === 1 ? '' : 's'})`));
  column.append(keys.list);
  return { column, marks: drawn.marks, shared: drawn.shared };
}

function describeDegree(pair: PairViewPair): string {
  const d = pair.degree;
  return `${formatDegree(d.value)} (chosen-only keys ${d.chosenOnly}, rejected-only keys ${d.rejectedOnly})`;
}

function button(label: string, title: string, disabled: boolean, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.title = title;
  b.toggleAttribute('secondary', true);
  b.toggleAttribute('disabled', disabled);
  b.addEventListener('click', () => { if (!b.hasAttribute('disabled')) onClick(); });
  return b;
}

function toolbar(source: PairViewSource | undefined): HTMLElement {
  const bar = element('nav', 'toolbar');
  const line = source?.line ?? 0;
  bar.append(button('◀ Previous', 'Previous record', !source || line <= 1, () => vscode.postMessage({ type: 'navigate', direction: 'previous' })));
  bar.append(button('Next ▶', 'Next record', !source || line >= source.lineCount, () => vscode.postMessage({ type: 'navigate', direction: 'next' })));
  if (source) {
    const link = element('a', 'goto', `Go to line ${source.line}`);
    link.href = '#';
    link.title = `Reveal line ${source.line} of ${source.fileName}`;
    link.addEventListener('click', (e) => { e.preventDefault(); vscode.postMessage({ type: 'goToLine', line: source.line }); });
    bar.append(link);
    bar.append(element('span', 'file', source.fileName));
  }
  return bar;
}

function render(message: PairViewHostMessage): PairViewRenderedState {
  const root = document.getElementById('root')!;
  root.replaceChildren();
  root.append(toolbar(message.source));
  if (message.type === 'showMessage') {
    root.append(element('p', 'message', message.message));
    return { kind: 'message', line: message.source?.line, uri: message.source?.uri, message: message.message, chosenSpans: 0, rejectedSpans: 0, sharedSpans: 0 };
  }
  const { pair } = message;
  const summary = element('section', 'summary');
  const degreeText = describeDegree(pair);
  summary.append(element('span', 'label', 'Data degree '), element('strong', 'degree', degreeText));
  summary.append(element('span', 'meta', ` · format ${pair.format} · extractor ${pair.extractor}` +
    (pair.index !== undefined ? ` · pair #${pair.index + 1}` : '')));
  root.append(summary);

  const prompt = element('details', 'prompt');
  prompt.open = pair.prompt.length < 600;
  // HH prompts start with "\n\nHuman:"; the leading blank lines carry nothing to read.
  prompt.append(element('summary', undefined, `Prompt (${pair.prompt.length} characters)`), element('div', 'text', pair.prompt.replace(/^\s+/, '')));
  root.append(prompt);

  const columns = element('div', 'columns');
  const chosen = responseColumn('Chosen', pair.chosen, 'chosen');
  const rejected = responseColumn('Rejected', pair.rejected, 'rejected');
  columns.append(chosen.column, rejected.column);
  root.append(columns);
  return {
    kind: 'pair', line: pair.line, uri: message.source.uri, chosenSpans: chosen.marks, rejectedSpans: rejected.marks,
    sharedSpans: chosen.shared + rejected.shared, degreeText,
  };
}

window.addEventListener('message', (event: MessageEvent<PairViewHostMessage>) => {
  const message = event.data;
  if (message?.type !== 'showPair' && message?.type !== 'showMessage') return;
  const state = render(message);
  if (message.source) vscode.setState({ source: message.source });
  vscode.postMessage({ type: 'rendered', state });
});

vscode.postMessage({ type: 'ready' });
