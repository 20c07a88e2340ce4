// Tokenizer regexes from a repository run on the JS backtracking engine (the tokenizers library compiles
// them as RegExp), where a pattern like `(a+)+b` takes exponential time: a 35-character response hung the
// trainer for more than 40 s. The guard refuses such patterns before the tokenizer is built, in two steps:
// 1. a static check of star height (a repeated group that itself repeats), the shape behind most
//    catastrophic patterns, which names the culprit; real tokenizers (GPT-2, Llama 3, Qwen, Mistral) never
//    have it;
// 2. a time bound, for what no static check sees (`(a|a)+b`, `(\w|\d)+$`, polynomial blow-ups): each regex,
//    compiled exactly as the library compiles it, is run on adversarial probe texts in a worker thread, and
//    one that does not finish them within REGEX_PROBE_MS is refused (the worker is terminated).
import { Worker } from 'worker_threads';
import { SplitPreTokenizer } from '@huggingface/tokenizers';

/** Why `pattern` may backtrack exponentially (a nested quantifier, quoted), or null when it has none. */
export function nestedQuantifier(pattern: string): string | null {
  // Each open group: where it starts and whether something inside it repeats.
  const stack: Array<{ start: number; repeats: boolean }> = [];
  let lastGroup: { start: number; end: number; repeats: boolean } | null = null;
  let i = 0;
  const markRepeat = () => { if (stack.length) stack[stack.length - 1].repeats = true; };
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      // \p{L} and \u{...}: skip the braces too, they are no quantifier.
      if ((pattern[i + 1] === 'p' || pattern[i + 1] === 'P' || pattern[i + 1] === 'u') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        i = close < 0 ? pattern.length : close + 1;
      } else i += 2;
      lastGroup = null;
      continue;
    }
    if (c === '[') {
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
      lastGroup = null;
      continue;
    }
    if (c === '(') {
      stack.push({ start: i, repeats: false });
      i++;
      if (pattern[i] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name> (?i: — the prefix is no quantifier
        i++;
        if (pattern[i] === '<' && pattern[i + 1] !== '=' && pattern[i + 1] !== '!') {
          const close = pattern.indexOf('>', i);
          i = close < 0 ? pattern.length : close + 1;
        } else {
          while (i < pattern.length && !':=!<>)'.includes(pattern[i])) i++;
          if (pattern[i] === '<') i++;
          if (i < pattern.length && pattern[i] !== ')') i++;
        }
      }
      lastGroup = null;
      continue;
    }
    if (c === ')') {
      const frame = stack.pop();
      i++;
      lastGroup = frame ? { start: frame.start, end: i, repeats: frame.repeats } : null;
      // A group that repeats inside makes its parent contain a repetition too.
      if (frame?.repeats) markRepeat();
      continue;
    }
    const brace = c === '{' ? /^\{\d*(,\d*)?\}/.exec(pattern.slice(i)) : null;
    if (c === '*' || c === '+' || (brace !== null && isRepeatingBrace(brace[0]))) {
      if (lastGroup?.repeats) return `${pattern.slice(lastGroup.start, lastGroup.end)}${brace ? brace[0] : c}`;
      markRepeat();
    }
    i += brace ? brace[0].length : 1;
    lastGroup = null;
  }
  return null;
}

/** `{n,m}` with m > 1, or `{n,}`: a quantifier that repeats (`{1}`, `{0,1}` do not). */
function isRepeatingBrace(text: string): boolean {
  const m = /^\{(\d+)?(,(\d*))?\}/.exec(text);
  if (!m) return false;
  if (m[2] === undefined) return Number(m[1]) > 1;
  return m[3] === '' || Number(m[3]) > 1;
}

/** Every `{"Regex": "..."}` pattern in a tokenizer.json (pre-tokenizers, normalizers, decoders), with its place. */
export function tokenizerRegexes(json: unknown, where = ''): Array<{ where: string; pattern: string }> {
  if (json === null || typeof json !== 'object') return [];
  const out: Array<{ where: string; pattern: string }> = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const here = where ? `${where}.${key}` : key;
    if (key === 'Regex' && typeof value === 'string') out.push({ where: here, pattern: value });
    else if (key !== 'vocab' && key !== 'merges' && key !== 'added_tokens') out.push(...tokenizerRegexes(value, here));
  }
  return out;
}

/** Throw, naming the pattern, where it is and `source` (the file), when a tokenizer regex can backtrack catastrophically. */
export function assertSafeTokenizerRegexes(json: unknown, source: string, probeMs = REGEX_PROBE_MS): void {
  const regexes = tokenizerRegexes(json);
  for (const { where, pattern } of regexes) {
    const nested = nestedQuantifier(pattern);
    if (nested) {
      throw new Error(`${source}: the regex at ${where} (${JSON.stringify(pattern)}) repeats a group that itself repeats (${nested}); such a pattern can take exponential time on some texts, so this tokenizer is refused`);
    }
  }
  const slow = slowRegex(regexes.map(({ where, pattern }) => ({ where, pattern, regex: compileAsTokenizers(pattern) })), probeMs);
  if (slow) {
    const sample = slow.probe.length > 12 ? `${JSON.stringify(slow.probe.slice(0, 12)).slice(0, -1)}…"` : JSON.stringify(slow.probe);
    throw new Error(`${source}: the regex at ${slow.where} (${JSON.stringify(slow.pattern)}) did not finish within ${probeMs} ms on a ${slow.probe.length}-character probe text (${sample}); such a pattern can take exponential time on some texts, so this tokenizer is refused`);
  }
}

/** A regex on a probe text may take this long (all its probes together) before it is called catastrophic. */
export const REGEX_PROBE_MS = 1500;
/** Startup of the probe worker, which does not count against the regexes. */
const WORKER_START_MS = 20_000;

/** The RegExp the tokenizers library builds for `{"Regex": pattern}` (it rewrites Oniguruma syntax first). */
export function compileAsTokenizers(pattern: string): RegExp {
  const built = (new SplitPreTokenizer({ type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false }) as unknown as { pattern?: unknown }).pattern;
  return built instanceof RegExp ? built : new RegExp(pattern, 'gu');
}

/** Characters to build probe texts from: those the pattern names, a representative of each class, and a few defaults. */
export function probeCharacters(source: string): string[] {
  const found = new Set<string>();
  const add = (c: string) => { if (found.size < 24) found.add(c); };
  const classChar: Record<string, string[]> = { s: [' ', '\n'], S: ['a'], d: ['1'], D: ['a'], w: ['a', '_'], W: [' ', '.'], n: ['\n'], r: ['\r'], t: ['\t'] };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      const braced = /^[pPu]\{([^}]*)\}/.exec(source.slice(i + 1));
      if (braced && next === 'u') add(String.fromCodePoint(parseInt(braced[1], 16) || 0x61));
      else if (braced) {
        const name = braced[1].replace(/^(General_Category|gc)=/, '');
        const sample = /^L/.test(name) ? ['a', 'é'] : /^N/.test(name) ? ['1'] : /^Z|White_Space/.test(name) ? [' '] : /^M/.test(name) ? ['\u0301'] : /^S/.test(name) ? ['+'] : ['.'];
        for (const ch of next === 'P' ? ['.', 'a'] : sample) add(ch);
      } else if (classChar[next]) for (const ch of classChar[next]) add(ch);
      else if (next === 'x' && /^[0-9a-fA-F]{2}/.test(source.slice(i + 2))) add(String.fromCharCode(parseInt(source.slice(i + 2, i + 4), 16)));
      else if (next && !/[bBAzZG0-9]/.test(next)) add(next);
      i += braced ? braced[0].length : 1;
      continue;
    }
    if (c === '.') add('a');
    else if (!'()[]{}|*+?^$-,:=!<>'.includes(c)) add(c);
  }
  for (const c of ['a', ' ', '1', '\n', '.']) add(c);
  return [...found];
}

/**
 * Texts a catastrophic regex chokes on: runs of one character or of a pair of characters of the pattern,
 * ended by a character no pattern expects (so every attempt fails late), short (exponential blow-ups) and
 * long (polynomial ones).
 */
export function probeTexts(source: string): string[] {
  const chars = probeCharacters(source);
  const end = '\u0001';
  const texts: string[] = [];
  for (const c of chars) texts.push(c.repeat(40) + end, c.repeat(2000) + end);
  const few = chars.slice(0, 8);
  for (const a of few) for (const b of few) if (a !== b) texts.push((a + b).repeat(20) + end);
  return texts;
}

export interface RegexToProbe {
  where: string;
  pattern: string;
  regex: RegExp;
}

/** Patterns (source and flags) that passed their probes: the verdict of a pure function, kept for the process. */
const probedSafe = new Set<string>();

// The worker: runs each regex over its probes as the tokenizer does (all matches), telling the main thread
// through shared memory which regex it is on; state[0]: 0 running, 1 done, 2 failed; state[1]: regex index;
// state[2]: probe index.
const PROBE_WORKER = `
const { workerData } = require('worker_threads');
const state = new Int32Array(workerData.state);
const tell = (index) => { Atomics.store(state, 1, index); Atomics.notify(state, 1); };
try {
  workerData.regexes.forEach(({ source, flags, probes }, index) => {
    tell(index);
    const regex = new RegExp(source, flags.includes('g') ? flags : flags + 'g');
    probes.forEach((probe, p) => {
      Atomics.store(state, 2, p);
      for (const _ of probe.matchAll(regex)) { /* every match, as a split does */ }
    });
  });
  Atomics.store(state, 0, 1);
} catch (err) {
  Atomics.store(state, 0, 2);
}
tell(workerData.regexes.length);
`;

/**
 * The first regex that does not finish its probe texts within `budgetMs`, with the length of its longest
 * probe, or null when all finish. Blocks the calling thread (the worker's clock is waited on with
 * Atomics.wait), so it suits the CLI and the trainer, not the extension host.
 */
export function slowRegex(regexes: readonly RegexToProbe[], budgetMs = REGEX_PROBE_MS): (RegexToProbe & { probe: string }) | null {
  const key = (r: RegexToProbe) => `${r.regex.flags}/${r.regex.source}`;
  const todo = regexes.filter((r) => !probedSafe.has(key(r)));
  if (todo.length === 0) return null;
  const probes = todo.map((r) => probeTexts(r.regex.source));
  const state = new Int32Array(new SharedArrayBuffer(12));
  state[1] = -1;
  const worker = new Worker(PROBE_WORKER, {
    eval: true,
    workerData: { state: state.buffer, regexes: todo.map((r, i) => ({ source: r.regex.source, flags: r.regex.flags, probes: probes[i] })) },
  });
  worker.unref();
  try {
    let index = -1;
    let since = Date.now();
    while (index < todo.length) {
      const limit = index < 0 ? WORKER_START_MS : budgetMs;
      const left = since + limit - Date.now();
      if (left <= 0) {
        if (index < 0) throw new Error(`the regex probe worker did not start within ${WORKER_START_MS} ms`);
        return { ...todo[index], probe: probes[index][Atomics.load(state, 2)] };
      }
      Atomics.wait(state, 1, index, left);
      const now = Atomics.load(state, 1);
      if (now !== index) {
        index = now;
        since = Date.now();
      }
    }
    if (Atomics.load(state, 0) !== 1) throw new Error('the regex probe worker failed (a tokenizer regex the library accepted did not compile again)');
    for (const r of todo) probedSafe.add(key(r));
    return null;
  } finally {
    void worker.terminate();
  }
}
