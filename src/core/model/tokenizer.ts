// TextTokenizer over an HF tokenizer.json (via @huggingface/tokenizers), adding the character
// offsets that library lacks: an exact byte walk for byte-level BPE, a text search otherwise.
import * as fs from 'fs';
import * as path from 'path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { TextTokenizer } from './types';
import { byteLevelOffsets, bytesToUnicode } from './byteLevel';
import { readRegularFileSync } from '../fs/safeFiles';

/** tokenizer.json of large vocabularies is tens of MB; far beyond this it is not a tokenizer. */
const MAX_TOKENIZER_BYTES = 512 * 1024 * 1024;

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

type Json = Record<string, unknown>;

function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

/** Metaspace / WordPiece / SentencePiece markers removed, so the piece can be found in the raw text. */
function surfaceOf(token: string): string {
  return token.replace(/^##/, '').replace(/▁/g, ' ');
}

/**
 * Offsets for tokenizers that are not byte-level: find each token's surface form in the text from a
 * cursor (case-insensitively as a second try). Tokens that cannot be found get an empty span.
 */
function searchOffsets(
  text: string,
  tokens: readonly string[],
  added: ReadonlySet<string>,
  charToByte: ReadonlyMap<string, number>,
): Array<[number, number]> {
  const lower = text.toLowerCase();
  const sameLength = lower.length === text.length;
  let cursor = 0;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const byteRun = /^<0x[0-9A-Fa-f]{2}>$/;
    if (!added.has(t) && byteRun.test(t)) {
      // SentencePiece byte fallback: consecutive <0xNN> tokens spell one or more UTF-8 characters.
      let j = i;
      const bytes: number[] = [];
      while (j < tokens.length && byteRun.test(tokens[j])) bytes.push(parseInt(tokens[j++].slice(3, 5), 16));
      const s = Buffer.from(bytes).toString('utf8');
      const at = text.indexOf(s, cursor);
      const span: [number, number] = at < 0 ? [cursor, cursor] : [at, at + s.length];
      for (let k = i; k < j; k++) out.push(span);
      if (at >= 0) cursor = at + s.length;
      i = j - 1;
      continue;
    }
    let piece = added.has(t) ? t : surfaceOf(t);
    const chars = [...t];
    if (!added.has(t) && chars.every((ch) => charToByte.has(ch)) && chars.some((ch) => charToByte.get(ch) !== ch.codePointAt(0))) {
      // Byte-level token of a tokenizer the exact walk rejected (prefix space, normalizer): its bytes.
      piece = Buffer.from(chars.map((ch) => charToByte.get(ch)!)).toString('utf8');
    }
    if (!added.has(t) && piece.trim() !== '') piece = piece.replace(/^ +/, '');
    if (piece === '' || piece.trim() === '') {
      out.push([cursor, cursor]);
      continue;
    }
    let at = text.indexOf(piece, cursor);
    if (at < 0 && sameLength) at = lower.indexOf(piece.toLowerCase(), cursor);
    if (at < 0) {
      out.push([cursor, cursor]);
      continue;
    }
    out.push([at, at + piece.length]);
    cursor = at + piece.length;
  }
  return out;
}

export class HfTextTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number | undefined;
  readonly bosTokenId: number | undefined;
  readonly addsBos: boolean;
  private readonly tokenizer: Tokenizer;
  private readonly addedTokens: Set<string>;
  private readonly charToByte: Map<string, number>;

  constructor(
    private readonly tokenizerJson: Json,
    private readonly tokenizerConfig: Json = {},
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    const vocab = this.tokenizer.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const added = Array.isArray(tokenizerJson.added_tokens) ? (tokenizerJson.added_tokens as Json[]) : [];
    this.addedTokens = new Set(added.map((t) => t.content as string));
    const idOf = (key: string): number | undefined => {
      const content = tokenContent(tokenizerConfig[key]);
      return content === undefined ? undefined : this.tokenizer.token_to_id(content);
    };
    // Without a tokenizer_config.json, GPT-2 style tokenizers use <|endoftext|> for both.
    const eot = this.tokenizer.token_to_id('<|endoftext|>');
    this.bosTokenId = idOf('bos_token') ?? (tokenizerConfig.bos_token === undefined ? eot : undefined);
    this.eosTokenId = idOf('eos_token') ?? (tokenizerConfig.eos_token === undefined ? eot : undefined);
    const plain = this.tokenizer.encode('a', { add_special_tokens: false }).ids;
    const full = this.tokenizer.encode('a', { add_special_tokens: true }).ids;
    this.addsBos = full.length > plain.length && this.bosTokenId !== undefined && full[0] === this.bosTokenId;
    this.charToByte = bytesToUnicode().charToByte;
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  encodeWithOffsets(text: string): { ids: number[]; offsets: Array<[number, number]> } {
    const enc = this.tokenizer.encode(text, { add_special_tokens: false });
    let offsets: Array<[number, number]>;
    try {
      offsets = byteLevelOffsets(text, enc.tokens, this.charToByte, this.addedTokens);
    } catch {
      offsets = searchOffsets(text, enc.tokens, this.addedTokens, this.charToByte);
    }
    return { ids: enc.ids, offsets };
  }

  tokens(text: string): string[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).tokens;
  }

  decode(ids: number[]): string {
    if (ids.length === 0) return ''; // the library throws on an empty list
    return this.tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  toJSON(): object {
    return this.tokenizerJson;
  }

  /** tokenizer_config.json to save beside tokenizer.json (undefined when there was none). */
  configJSON(): object | undefined {
    return Object.keys(this.tokenizerConfig).length ? this.tokenizerConfig : undefined;
  }
}

/** Load tokenizer.json (+ tokenizer_config.json when present) from a model folder. */
export function loadTokenizer(dir: string): HfTextTokenizer {
  const file = path.join(dir, TOKENIZER_FILE);
  if (!fs.existsSync(file)) throw new Error(`${dir}: no ${TOKENIZER_FILE}`);
  const readJson = (f: string): Json => {
    try {
      return JSON.parse(readRegularFileSync(f, { maxBytes: MAX_TOKENIZER_BYTES }).toString('utf8'));
    } catch (err) {
      throw new Error(`${f}: not valid JSON (${(err as Error).message})`);
    }
  };
  const configFile = path.join(dir, TOKENIZER_CONFIG_FILE);
  const config = fs.existsSync(configFile) ? readJson(configFile) : {};
  try {
    return new HfTextTokenizer(readJson(file), config);
  } catch (err) {
    throw new Error(`${file}: cannot build the tokenizer (${(err as Error).message})`);
  }
}
