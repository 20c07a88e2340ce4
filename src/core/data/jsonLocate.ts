// Finds where a value sits in raw JSON text by its path (keys and indices), for source mapping.
// Runs only on text JSON.parse accepted, so it skips values without validating them.

export type JsonPath = ReadonlyArray<string | number>;

/** Offset of the first character of the value at `path` (its opening quote for a string), or -1. */
export function locateJsonValue(text: string, path: JsonPath): number {
  let pos = skipWhitespace(text, 0);
  for (const step of path) {
    const found = typeof step === 'number' ? locateElement(text, pos, step) : locateMember(text, pos, step);
    if (found < 0) return -1;
    pos = found;
  }
  return pos;
}

/** Value offset of `key` in the object at `pos`; the last duplicate wins, as in JSON.parse. */
function locateMember(text: string, pos: number, key: string): number {
  if (text.charCodeAt(pos) !== 0x7b /* { */) return -1;
  let found = -1;
  pos = skipWhitespace(text, pos + 1);
  while (pos < text.length && text.charCodeAt(pos) !== 0x7d /* } */) {
    const keyEnd = skipString(text, pos);
    const raw = text.slice(pos + 1, keyEnd - 1);
    const name = raw.includes('\\') ? (JSON.parse(text.slice(pos, keyEnd)) as string) : raw;
    pos = skipWhitespace(text, keyEnd);
    pos = skipWhitespace(text, pos + 1); // the colon
    if (name === key) found = pos;
    pos = skipWhitespace(text, skipValue(text, pos));
    if (text.charCodeAt(pos) === 0x2c /* , */) pos = skipWhitespace(text, pos + 1);
  }
  return found;
}

function locateElement(text: string, pos: number, index: number): number {
  if (text.charCodeAt(pos) !== 0x5b /* [ */) return -1;
  pos = skipWhitespace(text, pos + 1);
  for (let i = 0; pos < text.length && text.charCodeAt(pos) !== 0x5d /* ] */; i++) {
    if (i === index) return pos;
    pos = skipWhitespace(text, skipValue(text, pos));
    if (text.charCodeAt(pos) === 0x2c) pos = skipWhitespace(text, pos + 1);
  }
  return -1;
}

function skipWhitespace(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return pos;
    pos++;
  }
}

/** Offset just past the string literal whose opening quote is at `pos`. */
export function skipString(text: string, pos: number): number {
  for (let i = pos + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) return i + 1;
  }
  return text.length;
}

function skipValue(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (c === 0x22) return skipString(text, pos);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let i = pos; i < text.length; i++) {
      const d = text.charCodeAt(i);
      if (d === 0x22) i = skipString(text, i) - 1;
      else if (d === 0x7b || d === 0x5b) depth++;
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
    }
    return text.length;
  }
  let i = pos;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    i++;
  }
  return i;
}
