// Issue 13 §7: model files from a repository are validated before use. Before: a 48 MB model with vocabulary
// 3e6 and d 4 ran 12.5 s and 2 GB, then died in wasm; safetensors headers without shape/data_offsets (or null)
// gave a bare TypeError; hfConfig took 0 and negative sizes; a Split regex `(a+)+b` hung on 35 characters.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseSafetensors } from '../../../src/core/model/safetensors';
import { parseHfConfig } from '../../../src/core/model/hfConfig';
import { HfTextTokenizer, loadTokenizer } from '../../../src/core/model/tokenizer';
import { trainByteLevelBpe } from '../../../src/core/model/bpeTrainer';
import { nestedQuantifier } from '../../../src/core/model/regexGuard';
import { parameterCount, trainingRefusal } from '../../../src/core/model/memory';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { resolveConfig } from '../../../src/core/train/config';
import { train } from '../../../src/core/train/trainer';
import { loadTf } from '../../../src/core/model/backend';
import { createGpt2 } from '../../../src/core/model/gpt2';
import { saveCausalLM } from '../../../src/core/model/checkpoint';
import type { CausalLMConfig } from '../../../src/core/model/types';

function safetensorsWithHeader(header: unknown, dataBytes = 0): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
}

describe('safetensors headers are type-checked, naming the file', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a null header', null, /evil\.safetensors: safetensors header must be a JSON object, got null/],
    ['an array header', [], /must be a JSON object, got an array/],
    ['a tensor entry that is null', { w: null }, /tensor 'w' has no header entry object/],
    ['a missing shape', { w: { dtype: 'F32', data_offsets: [0, 4] } }, /tensor 'w' has a bad shape undefined/],
    ['a negative dimension', { w: { dtype: 'F32', shape: [-1, 4], data_offsets: [0, 4] } }, /tensor 'w' has a bad shape \[-1,4\]/],
    ['missing data_offsets', { w: { dtype: 'F32', shape: [1] } }, /tensor 'w' has bad data_offsets undefined/],
    ['string offsets', { w: { dtype: 'F32', shape: [1], data_offsets: ['0', '4'] } }, /bad data_offsets \["0","4"\]/],
    ['a missing dtype', { w: { shape: [1], data_offsets: [0, 4] } }, /unsupported dtype undefined/],
  ];
  for (const [what, header, message] of cases) {
    it(what, () => assert.throws(() => parseSafetensors(safetensorsWithHeader(header, 4), 'evil.safetensors'), message));
  }
});

describe('hfConfig rejects zero, negative and fractional sizes', () => {
  const gpt2 = { architectures: ['GPT2LMHeadModel'], vocab_size: 100, n_positions: 32, n_embd: 8, n_layer: 1, n_head: 2 };
  for (const [key, value] of [['vocab_size', 0], ['n_embd', -8], ['n_layer', 0], ['n_head', 1.5], ['n_positions', -1]] as const) {
    it(`${key} = ${value}`, () => {
      assert.throws(() => parseHfConfig({ ...gpt2, [key]: value }, 'repo/config.json'), new RegExp(`repo/config.json: "${key}" must be a positive integer`));
    });
  }
  it('heads that do not divide the width', () => {
    assert.throws(() => parseHfConfig({ ...gpt2, n_head: 3 }, 'c.json'), /n_embd 8 is not a multiple of n_head 3/);
    assert.equal(parseHfConfig(gpt2, 'c.json').vocabSize, 100);
  });
});

describe('tokenizer regexes are guarded', () => {
  it('flags nested quantifiers and passes the real pre-tokenizer patterns', () => {
    for (const bad of ['(a+)+b', '(a*)*', '(?:a|b+)*c', '(\\w+\\s?)+$', '([a-z]+){2,}', '((a+))+']) assert.ok(nestedQuantifier(bad), bad);
    const gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    const llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    for (const good of [gpt2, llama3, '(ab)+', '(a{1,3})?b', '(a+)?b', '(a+){1}', '[(+)]+']) assert.equal(nestedQuantifier(good), null, good);
  });

  it('a tokenizer.json with a catastrophic Split regex is refused at load, naming the pattern (it hung > 40 s before)', { timeout: 10_000 }, () => {
    const bpe = trainByteLevelBpe(['some text to learn merges from', 'more text'], { vocabSize: 280, modelMaxLength: 64 });
    const json = JSON.parse(JSON.stringify(bpe.tokenizerJson)) as Record<string, unknown>;
    json.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+b' }, behavior: 'Isolated', invert: false }, json.pre_tokenizer] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-regex-'));
    try {
      fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
      assert.throws(() => loadTokenizer(dir), /tokenizer\.json.*pre_tokenizer\.pretokenizers\.0\.pattern\.Regex \("\(a\+\)\+b"\).*\(a\+\)\+.*refused/);
      // The shipped tokenizer itself still builds and encodes.
      assert.ok(new HfTextTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig).encode('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!').length > 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('memory estimate before allocating', () => {
  const huge: CausalLMConfig = {
    architecture: 'gpt2', vocabSize: 3_000_000, contextLength: 64, dModel: 4, nLayers: 1, nHeads: 1, nKvHeads: 1, dFf: 16,
    tieWordEmbeddings: true, normEps: 1e-5,
  };
  it('counts the parameters of the observed model (≈ 48 MB of float32)', () => {
    assert.ok(Math.abs(parameterCount(huge) * 4 / 1e6 - 48) < 1, String(parameterCount(huge)));
  });
  it('refuses vocabulary 3e6 at batch 8 × 64 tokens on wasm, with the numbers', () => {
    const shape = { batchSize: 8, maxLength: 64, spo: false, reference: true };
    assert.match(trainingRefusal(huge, shape, 'wasm') ?? '',
      /^cannot train on the wasm backend: the estimate is [\d.]+ GiB .*activations of 16 sequences over a vocabulary of 3,000,000 [\d.]+ GiB\) for 12\.0M parameters, batch 8, max_length 64, over the 4\.00 GiB heap\./);
    assert.equal(trainingRefusal({ ...huge, vocabSize: 300 }, shape, 'wasm'), undefined);
  });

  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-bigvocab-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  it('the trainer refuses that model folder in seconds, before the first step', { timeout: 60_000 }, async () => {
    const pairs = generateDemoPairs({ count: 16, seed: 4 });
    const data = path.join(dir, 'demo.jsonl');
    fs.writeFileSync(data, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
    const model = path.join(dir, 'model');
    fs.mkdirSync(model);
    const bpe = trainByteLevelBpe(pairs.flatMap((p) => [p.prompt, p.chosen, p.rejected]), { vocabSize: 300, modelMaxLength: 64 });
    const tokenizer = new HfTextTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);
    const { tf } = await loadTf({ backend: 'wasm' });
    const built = createGpt2(tf, { ...huge, eosTokenId: tokenizer.eosTokenId }, 1);
    saveCausalLM(built, model, tokenizer);
    built.dispose();
    const config = resolveConfig([{ values: { data, model, backend: 'wasm', max_steps: 2, per_device_train_batch_size: 8, max_length: 64, eval_steps: 0, write_degrees: false } }]);
    const t0 = Date.now();
    const events: string[] = [];
    await assert.rejects(
      train({ config, runDir: path.join(dir, 'run'), hooks: { onEvent: (e) => { if (e.type === 'metrics' || e.type === 'progress') events.push(e.type); } } }),
      // The trainer's one check, from config.json before the weights load, names the folder and the numbers.
      /model: cannot train on the wasm backend: the estimate is [\d.]+ GiB .*12\.0M parameters.*over the [\d.]+ GiB heap/,
    );
    assert.deepEqual(events, [], 'no phase started');
    assert.ok(Date.now() - t0 < 30_000);
  });
});
