// GPT-2's byte-level alphabet (each byte ↔ one printable character) and the character offsets of a
// byte-level BPE encoding, which @huggingface/tokenizers does not report.

/** GPT-2 `bytes_to_unicode`: printable bytes map to themselves, the rest to U+0100 onwards. */
export function bytesToUnicode(): { byteToChar: string[]; charToByte: Map<string, number> } {
  const bs: number[] = [];
  for (let i = 33; i <= 126; i++) bs.push(i);
  for (let i = 161; i <= 172; i++) bs.push(i);
  for (let i = 174; i <= 255; i++) bs.push(i);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const byteToChar: string[] = new Array(256);
  const charToByte = new Map<string, number>();
  bs.forEach((b, i) => {
    byteToChar[b] = String.fromCodePoint(cs[i]);
    charToByte.set(byteToChar[b], b);
  });
  return { byteToChar, charToByte };
}

/** UTF-8 byte offset → UTF-16 index, for every byte boundary of `text` (length nBytes + 1). */
export interface ByteCharMap {
  nBytes: number;
  /** Start (UTF-16) of the character containing byte b. */
  charStart: Int32Array;
  /** End (UTF-16) of the character containing byte b. */
  charEnd: Int32Array;
  /** UTF-16 index → byte offset of that position (length text.length + 1). */
  byteAt: Int32Array;
}

export function byteCharMap(text: string): ByteCharMap {
  const nBytes = Buffer.byteLength(text, 'utf8');
  const charStart = new Int32Array(nBytes + 1);
  const charEnd = new Int32Array(nBytes + 1);
  const byteAt = new Int32Array(text.length + 1);
  let bi = 0;
  let ci = 0;
  for (const ch of text) {
    const nb = Buffer.byteLength(ch, 'utf8');
    for (let k = 0; k < nb; k++) {
      charStart[bi + k] = ci;
      charEnd[bi + k] = ci + ch.length;
    }
    for (let k = 0; k < ch.length; k++) byteAt[ci + k] = bi;
    bi += nb;
    ci += ch.length;
  }
  charStart[nBytes] = charEnd[nBytes] = text.length;
  byteAt[text.length] = nBytes;
  return { nBytes, charStart, charEnd, byteAt };
}

/**
 * [start, end) UTF-16 offsets of each token of a byte-level BPE encoding of `text` (no text-changing
 * normalizer, no added prefix space). Tokens holding part of a multi-byte character are widened to the
 * whole character. `addedTokens` (special tokens found literally in the text) are matched by content.
 * Throws when the tokens do not spell the text exactly, so a misapplied walk never goes unnoticed.
 */
export function byteLevelOffsets(
  text: string,
  tokens: readonly string[],
  charToByte: Map<string, number>,
  addedTokens: ReadonlySet<string> = new Set(),
): Array<[number, number]> {
  const m = byteCharMap(text);
  const isCharBoundary = (b: number): boolean => b === 0 || b === m.nBytes || m.charStart[b] !== m.charStart[b - 1];
  const bytes = Buffer.from(text, 'utf8');
  let pos = 0;
  const out: Array<[number, number]> = [];
  for (const t of tokens) {
    if (addedTokens.has(t)) {
      const at = text.indexOf(t, m.charStart[pos]);
      if (at < 0) throw new Error(`added token ${JSON.stringify(t)} not found in the text after offset ${m.charStart[pos]}`);
      out.push([at, at + t.length]);
      pos = m.byteAt[at + t.length];
      continue;
    }
    const start = pos;
    for (const ch of t) {
      const b = charToByte.get(ch);
      if (b === undefined) throw new Error(`not a byte-level token: ${JSON.stringify(t)}`);
      if (pos >= m.nBytes || bytes[pos] !== b) throw new Error(`token ${JSON.stringify(t)} does not match the text at byte ${pos}`);
      pos++;
    }
    out.push([m.charStart[start], isCharBoundary(pos) ? m.charStart[pos] : m.charEnd[pos]]);
  }
  if (pos !== m.nBytes) throw new Error(`offset walk ended at byte ${pos} of ${m.nBytes} (normalizer or prefix space?)`);
  return out;
}

/**
 * Token index span [first, end) of the tokens overlapping the character span [start, end); tokens
 * with empty spans inside it are included. When nothing overlaps: an empty span where it would be.
 */
export function charSpanToTokenSpan(offsets: ReadonlyArray<readonly [number, number]>, start: number, end: number): [number, number] {
  let first = -1;
  let last = -1;
  for (let i = 0; i < offsets.length; i++) {
    const [a, b] = offsets[i];
    const overlaps = a < end && b > start;
    const emptyInside = a === b && a > start && a < end;
    if (overlaps || emptyInside) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first >= 0) return [first, last + 1];
  // Nothing overlaps: an empty span at the insertion point.
  let at = 0;
  while (at < offsets.length && offsets[at][1] <= start) at++;
  return [at, at];
}
