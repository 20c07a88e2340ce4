// Byte-level BPE training, loading in @huggingface/tokenizers, UTF-8 round trips and char→token offsets,
// on the real HH sample and on hand-made strings; plus the offsets fallback for a WordPiece tokenizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { Tokenizer } from '@huggingface/tokenizers';
import { HH_SAMPLE } from '../../helpers/paths';
import { HfTextTokenizer, charSpanToTokenSpan, encodePair, loadTokenizer, trainByteLevelBpe } from '../../../src/core/model';

function hhTexts(limit: number): string[] {
  const lines = zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8').split('\n').filter(Boolean);
  return lines.slice(0, limit).flatMap((l) => {
    const r = JSON.parse(l) as { chosen: string; rejected: string };
    return [r.chosen, r.rejected];
  });
}

const TRICKY = [
  'The assistant must not reveal the secret password: naïve café.',
  'Emoji 🙂👍🏽 and a family 👨‍👩‍👧 in one line',
  '日本語のテキストと中文文本，한국어도.',
  'NUL \u0000 byte, tab\tand\r\nCRLF, lone combining e\u0301.',
  "  leading spaces, trailing ones   \n\n\nand it's 2024's 3.14 numbers!!!",
  '<|endoftext|>special token inside<|endoftext|> text',
  '',
];

const texts = hhTexts(600);
const bpe = trainByteLevelBpe(texts, { vocabSize: 800, specialTokens: ['<|endoftext|>'] });
const tok = new HfTextTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);

test('trained BPE has the requested vocabulary and loads in @huggingface/tokenizers as is', () => {
  assert.equal(tok.vocabSize, 800);
  assert.equal(bpe.merges, 800 - 1 - 256);
  const raw = new Tokenizer(JSON.parse(JSON.stringify(bpe.tokenizerJson)), bpe.tokenizerConfig);
  const enc = raw.encode('Human: how do I bake bread?', { add_special_tokens: false });
  assert.ok(enc.ids.length < 'Human: how do I bake bread?'.length, 'merges should shorten common English');
  assert.equal(tok.eosTokenId, 0);
  assert.equal(tok.bosTokenId, 0);
  assert.equal(tok.addsBos, false);
  assert.deepEqual(tok.encode('<|endoftext|>'), [0]);
});

test('encode/decode round-trips arbitrary UTF-8 (emoji, CJK, accents, NUL)', () => {
  for (const s of [...TRICKY, ...texts.slice(0, 200)]) assert.equal(tok.decode(tok.encode(s)), s);
});

test('offsets tile the text: each token spans its own characters, partial multi-byte chars widened', () => {
  for (const s of [...TRICKY, ...texts.slice(0, 300)]) {
    const { ids, offsets } = tok.encodeWithOffsets(s);
    assert.equal(offsets.length, ids.length);
    let end = 0;
    for (let i = 0; i < ids.length; i++) {
      const [a, b] = offsets[i];
      assert.ok(a <= b && b <= s.length);
      // Consecutive tokens either continue where the previous ended or share a widened character.
      assert.ok(a === end || (a < end && offsets[i - 1][0] === a), `gap before token ${i} in ${JSON.stringify(s.slice(0, 40))}`);
      end = b;
    }
    assert.equal(end, s.length);
    // Tokens that cover whole characters decode to exactly their slice.
    for (let i = 0; i < ids.length; i++) {
      const [a, b] = offsets[i];
      const piece = tok.decode([ids[i]]);
      if (!piece.includes('\uFFFD')) assert.equal(piece, s.slice(a, b));
    }
  }
});

test('charSpanToTokenSpan finds the tokens of a key phrase in an HH response', () => {
  const s = texts.find((t) => t.includes(' police')) ?? assert.fail('no HH text mentions police');
  const start = s.indexOf(' police') + 1;
  const end = start + 'police'.length;
  const { ids, offsets } = tok.encodeWithOffsets(s);
  const [i, j] = charSpanToTokenSpan(offsets, start, end);
  assert.ok(j > i);
  assert.equal(tok.decode(ids.slice(i, j)).trim(), 'police');
  assert.ok(offsets[i][0] <= start && offsets[j - 1][1] >= end);
  assert.deepEqual(charSpanToTokenSpan(offsets, s.length, s.length), [ids.length, ids.length]);
});

test('loadTokenizer reads tokenizer.json + tokenizer_config.json from a folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-tok-'));
  try {
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(bpe.tokenizerJson));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(bpe.tokenizerConfig));
    const loaded = loadTokenizer(dir);
    assert.deepEqual(loaded.encode(texts[0]), tok.encode(texts[0]));
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{not json');
    assert.throws(() => loadTokenizer(dir), /tokenizer\.json: not valid JSON/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('non-byte-level tokenizers (WordPiece) get offsets by searching the text', () => {
  const vocab: Record<string, number> = { '[UNK]': 0, hello: 1, world: 2, '##s': 3, '!': 4, big: 5, '##ger': 6 };
  const wordPiece = new HfTextTokenizer({
    version: '1.0', added_tokens: [{ id: 0, content: '[UNK]', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }],
    normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  });
  const s = 'Hello  worlds, BIGGER world!';
  const { ids, offsets } = wordPiece.encodeWithOffsets(s);
  assert.deepEqual(ids, [1, 2, 3, 0, 5, 6, 2, 4]);
  assert.deepEqual(offsets.map(([a, b]) => s.slice(a, b)), ['Hello', 'world', 's', '', 'BIG', 'GER', 'world', '!']);
});

test('training on ~1 MB of HH text with vocab 2000 produces all merges', () => {
  const big = hhTexts(2000);
  const chars = big.reduce((n, t) => n + t.length, 0);
  assert.ok(chars > 1_000_000);
  const trained = trainByteLevelBpe(big, { vocabSize: 2000 });
  assert.equal(trained.merges, 2000 - 257);
  const t = new HfTextTokenizer(trained.tokenizerJson, trained.tokenizerConfig);
  const sample = big[1234];
  assert.equal(t.decode(t.encode(sample)), sample);
  assert.ok(t.encode(sample).length < tok.encode(sample).length, 'a larger vocabulary should encode shorter');
});

test('a byte-level tokenizer that adds a prefix space still gets offsets (search fallback)', () => {
  const json = JSON.parse(JSON.stringify(bpe.tokenizerJson));
  json.pre_tokenizer.add_prefix_space = true;
  const prefixed = new HfTextTokenizer(json, bpe.tokenizerConfig);
  const s = 'Hello there, café 🙂 friend';
  const { ids, offsets } = prefixed.encodeWithOffsets(s);
  assert.equal(ids.length, offsets.length);
  assert.ok(prefixed.tokens(s)[0].startsWith('Ġ'), 'the prefix space is really added');
  const [i, j] = charSpanToTokenSpan(offsets, s.indexOf('there'), s.indexOf('there') + 5);
  assert.equal(prefixed.decode(ids.slice(i, j)).trim(), 'there');
  assert.equal(offsets[offsets.length - 1][1], s.length);
});

test('a post-processor that prepends BOS (Llama style) is detected and pair encoding follows it', () => {
  const json = JSON.parse(JSON.stringify(bpe.tokenizerJson));
  const bosId = tok.vocabSize;
  json.added_tokens.push({ id: bosId, content: '<s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  json.model.vocab['<s>'] = bosId;
  json.post_processor = {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { '<s>': { id: '<s>', ids: [bosId], tokens: ['<s>'] } },
  };
  const llamaLike = new HfTextTokenizer(json, { ...bpe.tokenizerConfig, bos_token: '<s>' });
  assert.equal(llamaLike.bosTokenId, bosId);
  assert.equal(llamaLike.addsBos, true);
  assert.equal(llamaLike.encode('hi')[0] === bosId, false, 'encode() adds no special tokens');
  const e = encodePair(llamaLike, 'Human: hi', ' hello', 64);
  assert.equal(e.ids[0], bosId);
  assert.deepEqual(e.ids.slice(1, e.responseStart), llamaLike.encode('Human: hi'));
  assert.equal(tok.addsBos, false);
  assert.notEqual(encodePair(tok, 'Human: hi', ' hello', 64).ids[0], 0);
});
