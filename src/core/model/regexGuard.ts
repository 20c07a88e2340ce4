// Tokenizer regexes from a repository run on the JS backtracking engine (the tokenizers library compiles
// them as RegExp), where a nested quantifier like `(a+)+b` takes exponential time: a 35-character response
// hung the trainer for more than 40 s. The guard refuses such patterns before the tokenizer is built.
// It checks star height (a repeated group that itself repeats), the shape behind nearly all catastrophic
// patterns; real tokenizers (GPT-2, Llama 3, Qwen, Mistral pre-tokenizers) never have it.

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

/** Throw, naming the pattern and where it is, when a tokenizer regex can backtrack exponentially. */
export function assertSafeTokenizerRegexes(json: unknown, source: string): void {
  for (const { where, pattern } of tokenizerRegexes(json)) {
    const nested = nestedQuantifier(pattern);
    if (nested) {
      throw new Error(`${source}: the regex at ${where} (${JSON.stringify(pattern)}) repeats a group that itself repeats (${nested}); such a pattern can take exponential time on some texts, so this tokenizer is refused`);
    }
  }
}
