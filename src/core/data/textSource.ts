// TextSource for a JSON string literal: maps decoded UTF-16 offsets to raw file columns through
// escapes. Lazy: the literal is located and its escape map built only on the first lookup.
import { RawRange, TextSource } from './types';
import { RawRecord, recordPosition } from './rawRecord';
import { JsonPath, locateJsonValue } from './jsonLocate';
import { runToEnd, SlicedWork, WorkMeter } from '../slicedWork';

/** Where one literal's content starts and where its escapes are (decoded index → extra raw chars). */
interface LiteralMap {
  line: number;
  /** Column of the first content character (just after the opening quote). */
  column: number;
  /** Decoded indices of the escapes, ascending. */
  escapeAt: Int32Array;
  /** extraThrough[k]: raw chars beyond one per decoded unit, summed over escapes 0..k. */
  extraThrough: Int32Array;
  /** Decoded length of the literal. */
  length: number;
}

/** A string literal of a record, located on demand; shared by the sources cut from it. */
export class JsonStringLiteral {
  private map: LiteralMap | undefined;

  constructor(private readonly record: RawRecord, private readonly path: JsonPath) {}

  /** The source of the whole literal, or of its suffix from decoded offset `offset` on. */
  source(offset = 0): TextSource {
    return new JsonStringSource(this, offset);
  }

  resolve(): LiteralMap {
    this.map ??= runToEnd(buildLiteralMap(this.record, this.path));
    return this.map;
  }

  *resolveSliced(): SlicedWork<void> {
    this.map ??= yield* buildLiteralMap(this.record, this.path);
  }
}

class JsonStringSource implements TextSource {
  constructor(private readonly literal: JsonStringLiteral, private readonly offset: number) {}

  get line(): number {
    return this.literal.resolve().line;
  }

  prepareSliced(): SlicedWork<void> {
    return this.literal.resolveSliced();
  }

  toRaw(start: number, end: number): RawRange {
    const map = this.literal.resolve();
    const s = clamp(start + this.offset, this.offset, map.length);
    const e = clamp(end + this.offset, s, map.length);
    return { line: map.line, start: map.column + rawOffset(map, s), end: map.column + rawOffset(map, e) };
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Raw offset (from the content start) of decoded unit `d`: d plus the extra chars of earlier escapes. */
function rawOffset(map: LiteralMap, d: number): number {
  let lo = 0;
  let hi = map.escapeAt.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (map.escapeAt[mid] < d) lo = mid + 1;
    else hi = mid;
  }
  return d + (lo > 0 ? map.extraThrough[lo - 1] : 0);
}

function* buildLiteralMap(record: RawRecord, path: JsonPath): SlicedWork<LiteralMap> {
  const text = record.text;
  const quote = locateJsonValue(text, path);
  yield 1; // one scan of the record up to the literal
  if (quote < 0 || text.charCodeAt(quote) !== 0x22) {
    // Cannot happen for text JSON.parse accepted; degrade to the record start rather than throw.
    return { line: record.line, column: record.column, escapeAt: new Int32Array(0), extraThrough: new Int32Array(0), length: 0 };
  }
  const escapeAt: number[] = [];
  const extraThrough: number[] = [];
  let extra = 0;
  let decoded = 0;
  let i = quote + 1;
  const meter = new WorkMeter();
  for (; i < text.length; i++) {
    if (meter.add()) yield meter.take();
    const c = text.charCodeAt(i);
    if (c === 0x22) break;
    if (c === 0x5c) {
      const width = text.charCodeAt(i + 1) === 0x75 /* u */ ? 6 : 2;
      extra += width - 1;
      escapeAt.push(decoded);
      extraThrough.push(extra);
      i += width - 1;
    }
    decoded++;
  }
  yield meter.take();
  const { line, column } = recordPosition(record, quote + 1);
  return { line, column, escapeAt: Int32Array.from(escapeAt), extraThrough: Int32Array.from(extraThrough), length: decoded };
}
