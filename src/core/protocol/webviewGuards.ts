// Runtime checks of webview → host messages. A webview renders text from workspace files; whatever reaches
// the host is checked field by field before use (a TypeScript type says nothing about what arrives).
import type { CurvesCommand } from './curves';
import type { DegreesCommand } from './degrees';
import type { PairViewWebviewMessage } from './pairView';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLine = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

export function isCurvesCommand(m: unknown): m is CurvesCommand {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'ready': return m.view === null || m.view === undefined || (isObj(m.view) && (m.view.selected === undefined || isStrings(m.view.selected)));
    case 'selectRuns': return isStrings(m.runs);
    case 'exportCsv':
    case 'stopRun': return true;
    case 'pngData': return typeof m.dataUrl === 'string' && m.dataUrl.startsWith('data:image/png;base64,');
    case 'rendered': return isObj(m.report) && isStrings(m.report.runs) && isObj(m.report.view);
    default: return false;
  }
}

export function isDegreesCommand(m: unknown): m is DegreesCommand {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'ready': return true;
    case 'reveal': return isLine(m.line);
    case 'rendered': return (m.mode === 'example' || m.mode === 'dataset') && typeof m.rows === 'number' && typeof m.histogramBins === 'number' && typeof m.hasModel === 'boolean';
    default: return false;
  }
}

export function isPairViewMessage(m: unknown): m is PairViewWebviewMessage {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'ready': return true;
    case 'navigate': return m.direction === 'next' || m.direction === 'previous';
    case 'goToLine': return isLine(m.line);
    case 'rendered': return isObj(m.state);
    default: return false;
  }
}
